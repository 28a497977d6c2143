from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from privacy_kg.build import InconsistencyError, digest
from privacy_kg.cli.tag import ModelsOption
from privacy_kg.ontology import ONTOLOGY_FILE
from privacy_kg.statement_keys import KEYS_FILE
from privacy_kg.cli.common import DEFAULT_JOBS, LOCAL, ExecutorOption, JobsOption, RootOption, err, executor, fail_on_input_error, out, project
from privacy_kg import owned_folders
from privacy_kg.opp115 import importer
from privacy_kg.ota import history as ota_history, importer as ota_importer
from privacy_kg.opp115.reader import policy_files
from privacy_kg.problems import InputError

DEFAULT_OUT = Path("local") / "opp115"
COMMITTED = ("kg", "corpus", "ontology", "mappings", "queries")  # folders git tracks: licensed data stays out

importing = typer.Typer(no_args_is_help=True, help="Import an annotated corpus into graphs kept outside git (local/).")


def register(app: typer.Typer) -> None:
    app.add_typer(importing, name="import")


@importing.command("opp115")
def opp115(
    path: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="The OPP-115 folder (sanitized_policies/, consolidation/, annotations/, documentation/).")],
    root: RootOption = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help=f"Output folder (default: {DEFAULT_OUT} in the project; git-ignored): new, empty, or an earlier import's (only files its import-manifest.json lists are replaced or removed; anything else, or git-tracked files, is refused, exit 2).")] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Every annotator's practices (annotations/) instead of the consolidated ones.")] = False,
    majority: Annotated[bool, typer.Option("--majority", help="Raw annotations, one practice per segment and category that at least 2 of 3 annotators agree on.")] = False,
    jobs: JobsOption = DEFAULT_JOBS,
    executor_spec: ExecutorOption = LOCAL,
) -> None:
    """Import OPP-115 policies: map their practices to the ontology, reason, and write companies/<slug>.ttl,
    inferred/<slug>.ttl, quads/ and import-report.json (errata counts) to --out."""
    if raw and majority:
        err.print("error: choose --raw or --majority, not both.")
        raise typer.Exit(2)
    mode = importer.MAJORITY if majority else importer.RAW if raw else importer.CONSOLIDATED
    proj = project(root)
    target = (out_dir or proj.root / DEFAULT_OUT).resolve()
    for folder in COMMITTED:
        if target.is_relative_to(proj.root / folder):
            err.print(f"error: --out {target} is inside {folder}/, which git tracks; OPP-115 is licensed for research only: use local/.")
            raise typer.Exit(2)
    try:
        owned_folders.import_files(target)  # refused before the work, not after it (and again when writing)
    except owned_folders.FolderError as e:
        err.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    started = time.monotonic()
    try:
        with Progress(TextColumn("importing OPP-115"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}"), console=err, transient=True) as bar:
            task = bar.add_task("", total=len(policy_files(path)))
            with executor(jobs, executor_spec) as pool:
                result = importer.import_folder(path, proj, mode, pool,
                                                progress=lambda r: bar.update(task, advance=1, description=r.slug))
    except InconsistencyError as error:
        fail_on_input_error(error, exit_code=1)
    except InputError as error:
        fail_on_input_error(error)
    try:
        changed = importer.write(target, result)
    except owned_folders.FolderError as e:
        err.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    report = result.report
    errata = ", ".join(f"{k} {v}" for k, v in report["errata"].items() if k != "total") or "none"
    policies = f"{report['policies']} polic{'y' if report['policies'] == 1 else 'ies'}"
    out.print(
        f"imported {policies} ({report['totals']['practices']} practices, "
        f"{report['totals']['triples'] + report['totals']['inferred_triples']} triples) into {target} "
        f"in {time.monotonic() - started:.0f} s: {len(changed)} file(s) changed.\n"
        f"errata: {report['errata']['total']} ({errata}); details in {target / importer.REPORT_FILE}",
        highlight=False,
    )


@importing.command("ota")
def ota(
    repository: Annotated[Path, typer.Argument(help="An Open Terms Archive versions repository (git) or its .bundle file.")],
    service: Annotated[Optional[list[str]], typer.Option("--service", help="Only this service (its folder name; repeatable).")] = None,
    root: RootOption = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Output folder (default: local/ota in the project; git-ignored).")] = None,
    flap_days: Annotated[int, typer.Option("--flap-days", help="A text that returns to an earlier one within this many days is flapping.")] = ota_history.FLAP_DAYS,
    drafts: Annotated[bool, typer.Option("--drafts/--no-drafts", help="Draft every kept version with the trained tagger model (each distinct sentence classified once) into quads/ and history/.")] = True,
    models: ModelsOption = None,
    jobs: JobsOption = DEFAULT_JOBS,
    executor_spec: ExecutorOption = LOCAL,
) -> None:
    """Import every version of each service's Privacy Policy.md: classify the commits, collapse identical
    texts, skip flapping; write <service>/history.json, <service>/versions/NNNN.md and import-report.json.
    With a trained model (`privacy-kg tagger train`), also machine drafts of every kept version: quads/
    (each service's latest version, for --extra-kg) and history/ (each service's versions in one graph)."""
    from privacy_kg.ota import drafts as ota_drafts
    from privacy_kg.tagger.store import MODEL_FILE, models_dir

    proj = project(root)
    target = (out_dir or proj.root / "local" / "ota").resolve()
    started = time.monotonic()
    try:
        results = ota_importer.read(repository, service, flap_days)
    except InputError as error:
        fail_on_input_error(error)
    files = ota_importer.outputs(results, str(repository), flap_days)
    report = json.loads(files[ota_importer.REPORT_FILE])
    model_file = (models or models_dir(proj.root)) / MODEL_FILE
    staged, note = None, ""
    if not drafts:
        report["drafts"] = {"skipped": "--no-drafts"}
    elif not model_file.is_file():
        report["drafts"] = {"skipped": f"no trained model at {model_file}"}
        note = (f"\ndrafts skipped: no trained model at {model_file}; train one with "
                "`privacy-kg tagger train --opp115 PATH --no-embeddings`, then import again")
    else:
        try:
            model = ota_drafts.model_info(model_file)
        except InputError as error:
            fail_on_input_error(error)
        settings = ota_drafts.Settings(str(model_file), str(proj.ontology_dir), str(proj.mappings_dir),
                                       digest([proj.ontology_dir / ONTOLOGY_FILE, proj.mappings_dir / KEYS_FILE]))
        with Progress(TextColumn("drafting {task.fields[stage]}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("", total=None, stage="")
            with executor(jobs, executor_spec) as pool:
                staged, report["drafts"] = ota_importer.draft(
                    results, target, settings, model, pool,
                    progress=lambda stage, done, total: bar.update(task, completed=done, total=total, stage=stage))
        d = report["drafts"]
        note = (f"\ndrafts ({model.name}): {d['sentences']['total']} sentences, {d['sentences']['distinct']} distinct, "
                f"each classified once; {d['sentences']['statements']} proposed statements; history "
                f"{d['representation']['history_quads']} quads (a full graph per version: "
                f"{d['representation']['full_graph_per_version_quads']})")
    report["seconds"] = round(time.monotonic() - started, 1)
    report["peak_rss_mb"] = peak_rss_mb()
    files[ota_importer.REPORT_FILE] = ota_importer._json(report)
    try:
        changed = ota_importer.write(target, files, staged)
    finally:
        if staged is not None:
            staged.generation.discard()
    out.print(f"imported {report['services']} services: {report['versions_seen']} versions seen, {report['versions_kept']} kept "
              f"({report['substantive_changes']} substantive changes), {report['skipped']['total']} skipped, into {target} "
              f"in {report['seconds']:.0f} s: {len(changed)} file(s) changed; details in {target / ota_importer.REPORT_FILE}"
              + note, highlight=False)


def peak_rss_mb() -> dict:
    """Peak resident memory of this process and of its largest child (a local pool's worker), in MB."""
    import resource

    return {"client": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "largest_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}
