"""``dealcheck check FILE --packages offers.csv|.jsonl|.parquet``: verdicts per row agree with Scenario.check, bad
rows are errors at file:line:col (nothing written) or skipped warnings, and chunking never changes the output."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from dealcheck import load_scenario
from dealcheck.batch import check_file
from dealcheck.cli import cli
from dealcheck.errors import ScenarioError, UsageError
from dealcheck.solver.vectorized import check_many, encode_columns

TOY = """\
dealcheck: 1
title: Toy talks
terms:
  ceasefire: {options: [none, energy, full], ordered: true}
  nato: [member, neutral]
  minerals: bool
  aid: {range: [-5, 60]}
parties:
  russia:
    red_lines:
      no_full: {rule: ceasefire != "full", assumption: toy}
      no_nato: {rule: nato != "member", assumption: toy}
    demands:
      less_aid: {rule: aid <= 10, weight: 2, assumption: toy}
  ukraine:
    red_lines:
      aid: {rule: aid >= 5 or minerals, assumption: toy}
    demands:
      truce: {rule: ceasefire >= "energy", assumption: toy}
"""

HEADER = "id,ceasefire,nato,minerals,aid\n"


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    path = tmp_path / "toy.yaml"
    path.write_text(TOY)
    return path


def _random_rows(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [
        {
            "id": f"p{i}",
            "ceasefire": rng.choice(["none", "energy", "full"]),
            "nato": rng.choice(["member", "neutral"]),
            "minerals": rng.random() < 0.5,
            "aid": rng.randint(-5, 60),
        }
        for i in range(n)
    ]


def _csv(rows: list[dict]) -> str:
    def cell(v: object) -> str:
        return ("true" if v else "false") if isinstance(v, bool) else str(v)

    return HEADER + "".join(
        ",".join(cell(r[k]) for k in ("id", "ceasefire", "nato", "minerals", "aid")) + "\n" for r in rows
    )


def test_csv_verdicts_agree_with_check_row_by_row(toy: Path, tmp_path: Path) -> None:
    s = load_scenario(toy)
    rows = _random_rows(300, 1)
    (tmp_path / "offers.csv").write_text(_csv(rows))
    report = check_file(s, str(tmp_path / "offers.csv"), str(tmp_path / "v.jsonl"), chunk_rows=64)
    out = [json.loads(line) for line in (tmp_path / "v.jsonl").read_text().splitlines()]
    assert report.rows == len(out) == 300
    assert report.deals == sum(o["deal"] for o in out)
    for i, (row, o) in enumerate(zip(rows, out)):
        v = s.check({k: row[k] for k in ("ceasefire", "nato", "minerals", "aid")})
        assert (o["row"], o["id"], o["deal"]) == (i + 1, row["id"], v.deal)
        for p in v.parties:
            assert o[f"{p.party}.acceptable"] == p.acceptable
            assert o[f"{p.party}.score"] == pytest.approx(p.score)


@pytest.mark.parametrize("out_name", ["v.csv", "v.jsonl"])
def test_output_is_the_same_for_any_chunk_size(toy: Path, tmp_path: Path, out_name: str) -> None:
    s = load_scenario(toy)
    (tmp_path / "offers.csv").write_text(_csv(_random_rows(50, 2)))
    texts = set()
    for chunk in (1, 7, 50, 1000):
        check_file(s, str(tmp_path / "offers.csv"), str(tmp_path / out_name), chunk_rows=chunk)
        texts.add((tmp_path / out_name).read_bytes())
    assert len(texts) == 1


def test_bad_row_is_an_error_at_line_and_column_and_nothing_is_written(toy: Path, tmp_path: Path) -> None:
    (tmp_path / "offers.csv").write_text(HEADER + "a,energy,neutral,true,3\nb,energy,neutrl,true,3\n")
    result = CliRunner().invoke(
        cli, ["check", str(toy), "--packages", str(tmp_path / "offers.csv"), "-o", str(tmp_path / "v.csv")]
    )
    assert result.exit_code == 2
    assert f"{tmp_path / 'offers.csv'}:3:10: error[DC402]: row 2: 'neutrl' is not an option of nato" in result.output
    assert "did you mean 'neutral'?" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offers.csv", "toy.yaml"]  # no verdicts, no temporary


def test_skip_bad_rows_reports_each_and_checks_the_rest(toy: Path, tmp_path: Path) -> None:
    (tmp_path / "offers.csv").write_text(
        HEADER
        + "a,energy,neutral,true,3\n"
        + "b,energy,neutral,yes,3\n"  # a boolean written as yes
        + "c,energy,neutral,true,61\n"  # outside the range
        + "d,energy,neutral\n"  # too few fields
        + ",energy,neutral,true,3\n"  # no id
        + "f,full,neutral,true,3\n"
    )
    result = CliRunner().invoke(
        cli,
        [
            "check",
            str(toy),
            "--packages",
            str(tmp_path / "offers.csv"),
            "-o",
            str(tmp_path / "v.csv"),
            "--skip-bad-rows",
        ],
    )
    assert result.exit_code == 1  # f is not a deal
    path = tmp_path / "offers.csv"
    for expected in (
        f"{path}:3:18: warning[DC403]: row 2: minerals is true or false, not 'yes'",
        f"{path}:4:23: warning[DC402]: row 3: 61 is outside aid's range -5..60",
        f"{path}:5:1: warning[DC405]: row 4: the row has 3 fields, the header 5",
        f"{path}:6:1: warning[DC405]: row 5: the id is empty",
    ):
        assert expected in result.output
    lines = (tmp_path / "v.csv").read_text().splitlines()
    assert [line.split(",")[:3] for line in lines[1:]] == [["1", "a", "true"], ["6", "f", "false"]]


def test_header_problems(toy: Path, tmp_path: Path) -> None:
    s = load_scenario(toy)
    (tmp_path / "offers.csv").write_text("id,ceasefir,nato,minerals\n")
    with pytest.raises(ScenarioError) as e:
        check_file(s, str(tmp_path / "offers.csv"))
    rendered = e.value.render()
    assert ":1:4: error[DC401]: unknown term column 'ceasefir'" in rendered
    assert "did you mean 'ceasefire'?" in rendered
    assert ":1:1: error[DC405]: no column for ceasefire, aid" in rendered


def test_a_quoted_header_reads_as_any_other(toy: Path, tmp_path: Path) -> None:
    # Quoted fields carry no exact column starts; a quoted header once crashed reading them (exit 3).
    s = load_scenario(toy)
    (tmp_path / "offers.csv").write_text('"id","ceasefire",nato,minerals,aid\na,none,neutral,false,7\n')
    report = check_file(s, str(tmp_path / "offers.csv"))
    assert (report.rows, report.deals) == (1, 1)
    (tmp_path / "bad.csv").write_text('"id","ceasefir",nato,minerals,aid\n')
    with pytest.raises(ScenarioError) as e:
        check_file(s, str(tmp_path / "bad.csv"))
    assert ":1:1: error[DC401]: unknown term column 'ceasefir'" in e.value.render()


def test_jsonl_values_are_type_strict(toy: Path, tmp_path: Path) -> None:
    s = load_scenario(toy)
    rows = [
        {"id": "a", "ceasefire": "none", "nato": "neutral", "minerals": 1, "aid": 3},
        {"id": "b", "ceasefire": "none", "nato": "neutral", "minerals": True, "aid": "3"},
        {"id": 7, "ceasefire": "none", "nato": "neutral", "minerals": True, "aid": 3},
    ]
    (tmp_path / "offers.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n")
    r = check_file(s, str(tmp_path / "offers.jsonl"), str(tmp_path / "v.csv"), skip_bad_rows=True)
    assert r.rows == 1 and r.skipped_rows == 3
    assert [(b.row, b.line, b.code) for b in r.skipped] == [(1, 1, "DC403"), (2, 2, "DC403"), (4, 4, "DC405")]
    assert "minerals is true or false, not 1" in r.skipped[0].message
    assert (tmp_path / "v.csv").read_text().splitlines()[1].startswith("3,7,true,")


def test_parquet_round_trip_with_dictionary_columns(toy: Path, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    s = load_scenario(toy)
    rows = _random_rows(200, 3)
    table = pa.table(
        {
            "id": [r["id"] for r in rows],
            "ceasefire": pa.array([r["ceasefire"] for r in rows]).dictionary_encode(),
            "nato": [r["nato"] for r in rows],
            "minerals": [r["minerals"] for r in rows],
            "aid": pa.array([r["aid"] for r in rows], type=pa.int16()),
        }
    )
    pq.write_table(table, tmp_path / "offers.parquet")
    (tmp_path / "offers.csv").write_text(_csv(rows))
    check_file(s, str(tmp_path / "offers.parquet"), str(tmp_path / "a.csv"), chunk_rows=33)
    check_file(s, str(tmp_path / "offers.csv"), str(tmp_path / "b.csv"))
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    check_file(s, str(tmp_path / "offers.csv"), str(tmp_path / "v.parquet"))
    back = pq.read_table(tmp_path / "v.parquet")
    assert back.column("deal").to_pylist() == [
        s.check({k: r[k] for k in ("ceasefire", "nato", "minerals", "aid")}).deal for r in rows
    ]


def test_parquet_bad_values_have_row_numbers(toy: Path, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    s = load_scenario(toy)
    table = pa.table(
        {"ceasefire": ["none", None, "nne"], "nato": ["member"] * 3, "minerals": [True] * 3, "aid": [1, 2, 3]}
    )
    pq.write_table(table, tmp_path / "offers.parquet")
    with pytest.raises(ScenarioError) as e:
        check_file(s, str(tmp_path / "offers.parquet"))
    assert [str(d) for d in e.value.diagnostics] == [
        "error[DC403]: row 2: no value for ceasefire",
        "error[DC402]: row 3: 'nne' is not an option of ceasefire",
    ]
    pq.write_table(
        pa.table({"ceasefire": [1], "nato": ["member"], "minerals": [True], "aid": [1]}), tmp_path / "t.parquet"
    )
    with pytest.raises(ScenarioError, match="column 'ceasefire' holds int64, not strings"):
        check_file(s, str(tmp_path / "t.parquet"))


def test_missing_pyarrow_is_a_usage_error_with_the_extra(
    toy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    (tmp_path / "offers.csv").write_text(_csv(_random_rows(3, 4)))
    with pytest.raises(UsageError) as e:
        check_file(load_scenario(toy), str(tmp_path / "offers.csv"), str(tmp_path / "v.parquet"))
    assert "needs pyarrow" in e.value.message and "dealcheck[parquet]" in (e.value.hint or "")
    assert not (tmp_path / "v.parquet").exists()


def test_unknown_suffix_and_flags_that_do_not_mix(toy: Path, tmp_path: Path) -> None:
    (tmp_path / "offers.txt").write_text("")
    result = CliRunner().invoke(cli, ["check", str(toy), "--packages", str(tmp_path / "offers.txt")])
    assert result.exit_code == 2 and "name it .csv, .jsonl or .parquet" in result.output
    (tmp_path / "offers.csv").write_text(HEADER)
    result = CliRunner().invoke(
        cli, ["check", str(toy), "--packages", str(tmp_path / "offers.csv"), "--set", "nato=member"]
    )
    assert result.exit_code == 2 and "leave out -p and --set" in result.output


def test_encode_columns_returns_the_narrowest_type_and_check_many_takes_it_as_is(toy: Path) -> None:
    s = load_scenario(toy)
    codes = encode_columns(s, {"ceasefire": ["none"], "nato": ["member"], "minerals": [True], "aid": [60]})
    assert [str(c.dtype) for c in codes] == ["int8", "int8", "int8", "int8"]
    v = check_many(s, dict(zip(["ceasefire", "nato", "minerals", "aid"], codes)))
    assert v.deal.tolist() == [False] and isinstance(v.deal, np.ndarray)


def test_ids_that_would_act_on_a_terminal_are_bad_rows(toy: Path, tmp_path: Path) -> None:
    from dealcheck.report.escape import UNSAFE, unsafe_character

    s = load_scenario(toy)
    (tmp_path / "offers.jsonl").write_text(
        "".join(
            json.dumps({"id": i, "ceasefire": "none", "nato": "neutral", "minerals": True, "aid": 3}) + "\n"
            for i in ["ok", "a\x1b[31m", "b\u202e", "c\u0085"]
        )
    )
    r = check_file(s, str(tmp_path / "offers.jsonl"), skip_bad_rows=True)
    assert (r.rows, [b.row for b in r.skipped]) == (1, [2, 3, 4])
    assert all(unsafe_character(c) == 0 for c in "\x1b\u202e\u0085") and UNSAFE


def test_parquet_ids_are_checked_without_a_loop_and_the_same_way(toy: Path, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    s = load_scenario(toy)
    ids = ["ok", "a\x1b[31m", "b\u202e", "c\u0085", "", None, "fine\u00e9"]
    n = len(ids)
    table = pa.table(
        {"id": ids, "ceasefire": ["none"] * n, "nato": ["neutral"] * n, "minerals": [True] * n, "aid": [3] * n}
    )
    pq.write_table(table, tmp_path / "offers.parquet")
    r = check_file(s, str(tmp_path / "offers.parquet"), str(tmp_path / "v.csv"), skip_bad_rows=True)
    assert (r.rows, [b.row for b in r.skipped]) == (2, [2, 3, 4, 5, 6])
    assert [line.split(",")[1] for line in (tmp_path / "v.csv").read_text().splitlines()[1:]] == ["ok", "fine\u00e9"]
    pq.write_table(table.set_column(0, "id", pa.array(range(n))), tmp_path / "int_ids.parquet")
    assert check_file(s, str(tmp_path / "int_ids.parquet")).rows == n


def test_the_verdicts_never_replace_the_packages_file(toy: Path, tmp_path: Path) -> None:
    (tmp_path / "offers.csv").write_text(_csv(_random_rows(3, 5)))
    before = (tmp_path / "offers.csv").read_bytes()
    with pytest.raises(UsageError, match="is the packages file"):
        check_file(load_scenario(toy), str(tmp_path / "offers.csv"), str(tmp_path / "offers.csv"))
    assert (tmp_path / "offers.csv").read_bytes() == before
    report = check_file(load_scenario(toy), str(tmp_path / "offers.csv"))
    assert report.to_dict()["schema"] == "dealcheck.batch/1" and report.to_dict()["rows"] == 3
