"""The benchmark's resumable runs (benchmarks/checkpoint.py): a finished group is not run again and its rows
come back as they were; a group cut short runs again from its start; a fresh run ignores an old checkpoint."""

import json

import pytest

from benchmarks.checkpoint import Checkpoint


def test_a_finished_group_is_kept_and_not_run_again(tmp_path):
    path = tmp_path / "n10.checkpoint.json"
    first: list[dict] = []
    assert Checkpoint(path, resume=True).run(first, "build", lambda: first.append({"stage": "build", "wall_s": 1.5}))
    ran = []
    rows: list[dict] = [{"stage": "before"}]
    done = Checkpoint(path, resume=True)
    assert not done.run(rows, "build", lambda: ran.append("build"))
    assert ran == []
    assert rows == [{"stage": "before"}, {"stage": "build", "wall_s": 1.5}]


def test_a_group_cut_short_runs_again_and_the_earlier_groups_stay(tmp_path):
    path = tmp_path / "n10.checkpoint.json"
    rows: list[dict] = []
    done = Checkpoint(path, resume=True)
    done.run(rows, "generate", lambda: rows.append({"stage": "generate"}))

    def killed():
        rows.append({"stage": "build, half"})
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        done.run(rows, "build", killed)
    assert json.loads(path.read_text()) == {"generate": [{"stage": "generate"}]}
    again: list[dict] = []
    resumed = Checkpoint(path, resume=True)
    assert not resumed.run(again, "generate", lambda: again.append({"stage": "generate, again"}))
    assert resumed.run(again, "build", lambda: again.append({"stage": "build"}))
    assert again == [{"stage": "generate"}, {"stage": "build"}]
    assert not list(tmp_path.glob("*.partial"))


def test_without_resume_an_old_checkpoint_is_ignored_and_forget_removes_it(tmp_path):
    path = tmp_path / "n10.checkpoint.json"
    path.write_text(json.dumps({"generate": [{"stage": "generate, old"}]}))
    rows: list[dict] = []
    done = Checkpoint(path, resume=False)
    assert done.run(rows, "generate", lambda: rows.append({"stage": "generate, new"}))
    assert rows == [{"stage": "generate, new"}]
    done.forget()
    assert not path.exists()
