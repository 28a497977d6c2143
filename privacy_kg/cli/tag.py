"""`privacy-kg tag` (draft tagged clauses for a policy) and `privacy-kg tagger train|evaluate`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from privacy_kg.cli.common import LOCAL, ExecutorOption, RootOption, err, fail_on_input_error, joblib_executor, out, project
from privacy_kg.problems import InputError

Opp115Option = Annotated[Path, typer.Option("--opp115", help="An OPP-115-format folder (sanitized_policies/, annotations/).", envvar="PRIVACY_KG_OPP115")]
ModelsOption = Annotated[Optional[Path], typer.Option("--models", help="Where models are cached (default: $PRIVACY_KG_MODELS or local/models/, git-ignored).")]
EmbeddingsOption = Annotated[Optional[bool], typer.Option("--embeddings/--no-embeddings", help="Use MiniLM sentence embeddings (default: when the `tagger` extra is installed).")]


def _say(message: str) -> None:
    err.print(message, highlight=False)


def _models(root: Path | None, models: Path | None) -> Path:
    from privacy_kg.tagger import models_dir
    return models or models_dir(project(root).root)


def register(app: typer.Typer) -> None:
    tagger_app = typer.Typer(no_args_is_help=True, help="Train and evaluate the tagging assistant's model on OPP-115-format data.")
    app.add_typer(tagger_app, name="tagger")

    @app.command()
    def tag(
        policy: Annotated[Path, typer.Argument(help="The policy text (UTF-8), copied verbatim into the company folder.")],
        company: Annotated[str, typer.Option("--company", "-c", help="Company slug: the draft goes to corpus/SLUG/.")],
        out_dir: Annotated[Optional[Path], typer.Option("--out", help="Write to this folder instead of corpus/SLUG/.")] = None,
        force: Annotated[bool, typer.Option("--force", help="Replace an existing clauses.yaml (and policy text).")] = False,
        threshold: Annotated[Optional[float], typer.Option("--threshold", min=0.0, max=1.0, help="Propose a category from this probability on (default 0.4; lower: more clauses, more to delete).")] = None,
        root: RootOption = None,
        models: ModelsOption = None,
    ) -> None:
        """Draft tagged clauses for a policy: every clause `proposed: true` with its confidence, for review."""
        from privacy_kg.tagger import DRAFT_THRESHOLD, load_model, tag_policy
        proj = project(root)
        try:
            draft, written = tag_policy(proj, policy, company, out_dir, force, load_model(_models(root, models)),
                                        DRAFT_THRESHOLD if threshold is None else threshold)
        except InputError as error:
            fail_on_input_error(error)
        out.print(f"{written.folder}: {written.clauses} proposed clauses from {draft.segments} sentences"
                  f" ({', '.join(written.files) or 'nothing changed'}). Review them, then `privacy-kg check -c {company}`.", highlight=False)

    @tagger_app.command()
    def train(opp115: Opp115Option, root: RootOption = None, models: ModelsOption = None, embeddings: EmbeddingsOption = None,
              executor_spec: ExecutorOption = LOCAL) -> None:
        """Train the category model on every policy of an OPP-115-format folder; cache it locally."""
        from privacy_kg.tagger import train as training
        try:
            with joblib_executor(executor_spec):
                model, path, seconds = training(opp115, _models(root, models), embeddings, _say)
        except InputError as error:
            fail_on_input_error(error)
        out.print(f"trained on {model.info['policies']} policies ({model.info['segments']} segments, "
                  f"embeddings: {'yes' if model.info['embeddings'] else 'no'}) in {seconds:.0f} s -> {path}", highlight=False)

    @tagger_app.command()
    def evaluate(
        opp115: Opp115Option,
        folds: Annotated[int, typer.Option("--folds", min=2, help="Cross-validation folds, whole policies per fold.")] = 5,
        trained: Annotated[bool, typer.Option("--trained", help="Test the trained model on every policy instead of cross-validating (for a folder it was not trained on).")] = False,
        seeds: Annotated[bool, typer.Option("--seeds", help="Also report how much of the hand-tagged corpus the draft recovers (trained model).")] = False,
        fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        fail_under: Annotated[Optional[float], typer.Option("--fail-under", min=0.0, max=1.0, help="Exit 1 when the category micro-F1 is below this (a regression guard for CI).")] = None,
        root: RootOption = None,
        models: ModelsOption = None,
        embeddings: EmbeddingsOption = None,
        executor_spec: ExecutorOption = LOCAL,
    ) -> None:
        """Segment-level P/R/F1 per category (micro, macro; majority-vote labels; split by policy), modality accuracy, data-type F1."""
        from privacy_kg.tagger import dataset, load_model, make_encoder
        from privacy_kg.tagger.evaluate import evaluate as run
        if fmt not in ("table", "json"):
            err.print(f"--format must be table or json, not {fmt!r}")
            raise typer.Exit(2)
        proj = project(root)
        folder = _models(root, models)
        start = time.perf_counter()
        try:
            docs = dataset.load(opp115)
            model = load_model(folder) if trained or seeds else None
            with joblib_executor(executor_spec):
                evaluation = run(docs, proj.vocabulary, folds=folds, model=model if trained else None,
                                 encoder=make_encoder(folder, embeddings), progress=_say)
            recovered = _seed_recovery(proj, model) if seeds else None
        except InputError as error:
            fail_on_input_error(error)
        evaluation.seconds["total"] = round(time.perf_counter() - start, 1)
        result = evaluation.as_dict() | ({"seeds": recovered} if recovered is not None else {})
        if fmt == "json":
            out.print_json(json.dumps(result))
        else:
            _print_tables(result)
        micro = evaluation.categories.micro.f1
        if fail_under is not None and micro < fail_under:
            err.print(f"category micro-F1 {micro:.3f} is below --fail-under {fail_under}", highlight=False)
            raise typer.Exit(1)


def _seed_recovery(proj, model) -> list[dict]:
    from privacy_kg.tagger.draft import Tagger
    from privacy_kg.tagger.seeds import recover_all, total
    found = recover_all(proj.companies(), Tagger(model, proj.vocabulary))
    return [r.as_dict() for r in found + [total(found)]]


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def _print_tables(result: dict) -> None:
    cat = result["categories"]
    table = Table(title=f"Categories: {result['policies']} policies, {result['segments']} segments, {result['method']}")
    for col in ("label", "P", "R", "F1", "support"):
        table.add_column(col, justify="left" if col == "label" else "right")
    for label, s in cat["per_label"].items():
        table.add_row(label, _pct(s["precision"]), _pct(s["recall"]), _pct(s["f1"]), str(s["support"]))
    m = cat["micro"]
    table.add_row("micro", _pct(m["precision"]), _pct(m["recall"]), _pct(m["f1"]), str(m["support"]), style="bold")
    table.add_row("macro", "", "", _pct(cat["macro_f1"]), "", style="bold")
    out.print(table)
    pb = result["privbert"]
    out.print(f"PrivBERT (segment-level split): micro {_pct(pb['micro_f1'])}, macro {_pct(pb['macro_f1'])}; "
              f"here {_pct(m['f1'])} / {_pct(cat['macro_f1'])} "
              f"({_pct(m['f1'] - pb['micro_f1'])} / {_pct(cat['macro_f1'] - pb['macro_f1'])} points)", highlight=False)
    for fold in result["folds"]:
        out.print(f"  fold {fold['fold']}: {fold['policies']} policies, micro {_pct(fold['micro_f1'])}, macro {_pct(fold['macro_f1'])}, {fold['seconds']} s", highlight=False)
    mod = result["modality"]
    dn = mod["does_not"]
    out.print(f"Modality: accuracy {_pct(mod['accuracy'])} on {mod['sentences']} annotated sentences "
              f"(always 'Does': {_pct(mod['majority_baseline'])}); Does Not P {_pct(dn['precision'])} R {_pct(dn['recall'])} F1 {_pct(dn['f1'])}", highlight=False)
    dt = result["data_types"]
    out.print(f"Data types (lexicon -> OPP-115 types): micro P {_pct(dt['micro']['precision'])} R {_pct(dt['micro']['recall'])} "
              f"F1 {_pct(dt['micro']['f1'])}, macro F1 {_pct(dt['macro_f1'])}", highlight=False)
    for seed in result.get("seeds", []):
        out.print(f"Seeds {seed['company']}: topic recall {_pct(seed['recall'])}, precision {_pct(seed['precision'])} "
                  f"({seed['clauses_fully_recovered']}/{seed['hand_clauses']} clauses fully recovered)", highlight=False)
    for warning in result["warnings"]:
        err.print(f"warning: {warning}", highlight=False)
    out.print(f"time: {result['seconds']}", highlight=False)
