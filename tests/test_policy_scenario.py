"""Scenario files: reading TOML, defaults, combined timelines, and errors naming file, line and field."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from tradewar import load_world
from tradewar.policy import (
    Scenario,
    ScenarioError,
    ScenarioNotFoundError,
    Suspension,
    TariffLayer,
    Timeline,
)
from tradewar.policy.toml_lines import KeyLines, syntax_error_line

# Line numbers of the keys below are used by the tests: keep the layout.
LONDON = """\
name = "london-2025"
description = "Measures in force during the London talks"
world = "wiod2011"
date = 2025-06-10
against = 2025-01-01
deficits = "fixed"

[aggregate]
regions = "compact"

[[measure]]
id = "X1"
kind = "tariff"
imposer = "USA"
targets = ["CHN"]
rate = 0.10

[[measure]]
id = "X2"
kind = "tariff"
imposer = "CHN"
targets = "USA"
sectors = ["Agriculture"]
rate = 0.15
start = 2025-07-01

[report]
countries = ["USA", "CHN", "EU27"]
"""


def write(tmp_path: Path, text: str, name: str = "london.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def library() -> Timeline:
    """Two library measures: the reciprocal layer (34%) and the Geneva pause to 10%."""
    return Timeline(
        [
            TariffLayer(id="R", imposer="USA", targets="CHN", rate=0.34, start="2025-04-05"),
            Suspension(id="G", measures="R", remaining_rate=0.10, start="2025-05-14", end="2025-08-12"),
        ]
    )


# ---------------------------------------------------------------------- reading good files
def test_reads_every_field(tmp_path):
    """The file's values, as written (TOML dates are dates); start defaults to the scenario's date."""
    scenario = Scenario.from_toml(write(tmp_path, LONDON))
    assert scenario.name == "london-2025"
    assert scenario.world == "wiod2011"
    assert scenario.date == date(2025, 6, 10)
    assert scenario.against == date(2025, 1, 1)
    assert scenario.deficits == "fixed"
    assert scenario.aggregate.regions == "compact" and scenario.aggregate.sectors is None
    assert [m.id for m in scenario.measures] == ["X1", "X2"]
    assert scenario.measures[0].start == date(2025, 6, 10)  # defaulted to the scenario's date
    assert scenario.measures[1].start == date(2025, 7, 1)  # given
    assert scenario.measures[1].sectors == ("Agriculture",)
    assert scenario.report.countries == ("USA", "CHN", "EU27")


def test_defaults_and_name_from_the_file(tmp_path):
    """Documented defaults: name = file stem, world wiod2011, deficits fixed, no measures; against may be a name."""
    scenario = Scenario.from_toml(write(tmp_path, 'against = "baseline-2017"\n', name="minimal.toml"))
    assert scenario.name == "minimal"
    assert (scenario.world, scenario.deficits, scenario.measures, scenario.date) == ("wiod2011", "fixed", (), None)
    assert scenario.against == "baseline-2017"
    assert Scenario.from_text('against = "2025-01-01"').against == date(2025, 1, 1)  # ISO text is a date
    assert Scenario.from_text("", name="x").name == "x"


def test_built_in_python():
    """In Python the extra measures go in ``measures`` (``measure`` is the TOML name); mappings are parsed."""
    layer = TariffLayer(id="X", imposer="USA", targets="CHN", rate=0.1, start="2025-01-01")
    scenario = Scenario(name="py", measures=[layer, dict(kind="suspension", id="S", measures="X", start="2025-02-01")])
    assert [m.kind for m in scenario.measures] == ["tariff", "suspension"]
    assert len(scenario.timeline()) == 2


def test_timeline_combines_library_and_extra_measures():
    """Library (R, G) + extra (X1, X2): four measures; tariff on 10 June = baseline + 10 (held R) + 10 (X1)."""
    scenario = Scenario.from_text(LONDON, name="london")
    combined = scenario.timeline(library())
    assert [m.id for m in combined] == ["R", "G", "X1", "X2"]
    assert [m.id for m in scenario.timeline()] == ["X1", "X2"]
    world = load_world()
    added = combined.tariff_on(scenario.date, world) - world.tariff
    assert float(added.sel(importer="USA", exporter="CHN", sector="Metals")) == pytest.approx(0.20)
    assert float(added.sel(importer="CHN", exporter="USA", sector="Agriculture")) == 0.0  # X2 starts 1 July


def test_extra_measures_may_refer_to_the_library():
    """A scenario can pause a library layer (here R held at 5% from 1 June): 5 points on 10 June."""
    text = """\
date = 2025-06-10
[[measure]]
id = "P"
kind = "suspension"
measures = ["R"]
remaining_rate = 0.05
start = 2025-06-01
"""
    world = load_world()
    combined = Scenario.from_text(text).timeline(library())
    added = combined.tariff_on("2025-06-10", world) - world.tariff
    assert float(added.sel(importer="USA", exporter="CHN", sector="Food")) == pytest.approx(0.05)


def test_load_world_aggregates_and_labels_check(tmp_path):
    """[aggregate] regions = "compact" gives the 13-region world; its labels include EU27 (check_world passes)."""
    scenario = Scenario.from_toml(write(tmp_path, LONDON))
    world = scenario.load_world()
    assert len(world.countries) == 13 and "EU27" in world.countries
    scenario.check_world(world, library())


# ---------------------------------------------------------------------- errors: file, line, field
def test_missing_file():
    """A path that does not exist: ScenarioNotFoundError naming it."""
    with pytest.raises(ScenarioNotFoundError, match="nowhere.toml not found"):
        Scenario.from_toml("nowhere.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("rate = 0.10", "rate = 0.10 0.2", r"london.toml, line 16, field measure\[0\].rate: invalid TOML"),
        ("date = 2025-06-10", "date = 2025-06-1", r"london.toml, line 4, field date: invalid TOML"),
        ('regions = "compact"', 'regions = "compact', r"london.toml, line 9, field aggregate.regions: invalid TOML"),
    ],
)
def test_syntax_errors_name_file_line_and_field(tmp_path, old, new, message):
    """tomllib's line numbers, with the key written on that line (lines counted in LONDON above)."""
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_toml(write(tmp_path, LONDON.replace(old, new)))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "rate = 0.10",
            "rate = -2",
            r"london.toml, line 16, field measure\[0\].rate: rate -2 is at or below -1 .*\(measure 'X1'\)$",
        ),
        (
            "rate = 0.15",
            "rate = 15",
            r"london.toml, line 24, field measure\[1\].rate: .*did you mean 0.15\?.*\(measure 'X2'\)$",
        ),
        (
            'kind = "tariff"\nimposer = "CHN"',
            'kind = "quota"\nimposer = "CHN"',
            r"line 20, field measure\[1\].kind: unknown kind 'quota'",
        ),
        ("rate = 0.15\n", "", r"line 18, field measure\[1\].rate: required field missing"),
        (
            "start = 2025-07-01",
            "start = 2025-05-01\nend = 2025-04-01",
            r"line 26, field measure\[1\].end: end 2025-04-01 is not after start 2025-05-01",
        ),
        ('targets = "USA"', "targets = []", r"line 22, field measure\[1\].targets: targets is empty"),
        (
            "rate = 0.10",
            "rate = 0.10\nrates = 0.2",
            r"line 17, field measure\[0\].rates: unknown field; a tariff measure has the fields",
        ),
        (
            'description = "',
            'descripton = "',
            r"line 2, field descripton: unknown field; a scenario has name, description",
        ),
        ('deficits = "fixed"', 'deficits = "none"', r"line 6, field deficits: Input should be 'fixed' or 'zero'"),
        (
            'regions = "compact"',
            "regions = 5",
            r"line 9, field aggregate.regions: Input should be a valid string or a valid dictionary \(got 5\)",
        ),
        ("date = 2025-06-10", 'date = "2025-06"', r"line 4, field date: date must be a full date YYYY-MM-DD"),
        (
            'countries = ["USA", "CHN", "EU27"]',
            'countries = "USA"',
            r"line 28, field report.countries: Input should be a valid tuple",
        ),
        ("[report]", "[reports]", r"line 27, field reports: unknown field"),
    ],
)
def test_bad_fields_name_file_line_and_field(tmp_path, old, new, message):
    """Validation errors traced to the key's line (counted by hand in LONDON, after the edit)."""
    assert old in LONDON
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_toml(write(tmp_path, LONDON.replace(old, new, 1)))


def test_every_problem_is_reported(tmp_path):
    """Two bad fields: two lines in the message, each with its own line and field; attributes name the first."""
    text = LONDON.replace("rate = 0.10", "rate = -2").replace('deficits = "fixed"', 'deficits = "none"')
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_toml(write(tmp_path, text))
    error = caught.value
    assert [(line, field) for line, field, _ in error.problems] == [(6, "deficits"), (16, "measure[0].rate")]
    assert (error.line, error.field) == (6, "deficits")
    assert error.source.endswith("london.toml")


def test_labels_checked_against_the_world_name_line_and_field():
    """check_world: an unknown target in measure[1] and an unknown report country, each at its line."""
    text = LONDON.replace('targets = "USA"', 'targets = ["USA", "DEU"]')
    scenario = Scenario.from_text(text, name="london")
    world = scenario.load_world()  # compact: DEU is inside EU27
    with pytest.raises(
        ScenarioError,
        match=r"london.toml, line 22, field measure\[1\].targets: unknown country or group 'DEU' \(in this world it "
              r"is part of the region 'EU27'\)",
    ):
        scenario.check_world(world)
    bad_report = Scenario.from_text(LONDON.replace('"EU27"]', '"EU27", "XXX"]'), name="london")
    with pytest.raises(ScenarioError, match=r"line 28, field report.countries\[3\]: unknown country or group 'XXX'"):
        bad_report.check_world(world)


def test_timeline_problems_of_extra_measures_are_located():
    """An extra measure reusing a library id, and one naming an unknown measure: file, line and field."""
    text = LONDON.replace('id = "X2"', 'id = "R"')
    with pytest.raises(ScenarioError, match=r"london.toml, line 19, field measure\[1\].id: duplicate id"):
        Scenario.from_text(text, name="london").timeline(library())
    pause = 'date = 2025-06-10\n[[measure]]\nid = "P"\nkind = "suspension"\nmeasures = ["RR"]\n'
    with pytest.raises(
        ScenarioError, match=r"scenario.toml, line 5, field measure\[0\].measures\[0\]: names 'RR'.*did you mean 'R'"
    ):
        Scenario.from_text(pause).timeline(library())


# ---------------------------------------------------------------------- the line finder
def test_key_lines_tables_arrays_and_dotted_keys():
    """Lines counted by hand in the text below; missing keys fall back to their table's line."""
    text = """\
name = "x"
notes = \"\"\"
rate = 5
\"\"\"
pairs = [
  ["USA"]
]
[aggregate]
regions = "eu27"
[[measure]]
id = "a"
[[measure]]
id = "b"
  rate = 2  # indented, with a comment
"quoted.key" = 3
report.countries = ["USA"]
inline = {a = 1, b = [
  1]}
after = 1
"""
    lines = KeyLines(text)
    assert lines.line_of(("name",)) == 1
    assert lines.line_of(("rate",)) is None  # inside a multi-line string, not a key
    assert lines.line_of(("USA",)) is None  # inside a multi-line array, not a table
    assert lines.line_of(("aggregate", "regions")) == 9
    assert lines.line_of(("measure", 0, "id")) == 11
    assert lines.line_of(("measure", 1, "rate")) == 14
    assert lines.line_of(("measure", 1, "start")) == 12  # missing: the table's header
    assert lines.line_of(("measure", 1, "quoted.key")) == 15
    assert lines.line_of(("measure", 1, "report", "countries", 0)) == 16
    assert lines.line_of(("measure", 1, "inline", "b")) == 17
    assert lines.line_of(("measure", 1, "after")) == 19  # after a value spread over two lines
    assert lines.line_of(("nothing",)) is None
    assert lines.path_at(18) == ("measure", 1, "inline")
    assert lines.path_at(14) == ("measure", 1, "rate")


def test_key_lines_nested_arrays_of_tables():
    """[[a.b]] under the second [[a]] is a.1.b.0 (TOML's nesting rule)."""
    text = "[[a]]\nx = 1\n[[a]]\n[[a.b]]\ny = 2\n[[a.b]]\ny = 3\n"
    lines = KeyLines(text)
    assert lines.line_of(("a", 1, "b", 0, "y")) == 5
    assert lines.line_of(("a", 1, "b", 1, "y")) == 7
    assert lines.line_of(("a", 0, "x")) == 2


def test_syntax_error_line_helper():
    """tomllib's '(at line N, column M)' becomes line N; an error at the end of the text names the last line."""
    text = 'a = 1\nb = "unclosed\n'
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    line, message = syntax_error_line(caught.value, text)
    assert line == 2 and "line 2" not in message
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads("a = [1,\n")
    assert syntax_error_line(caught.value, "a = [1,\n")[0] in (1, 2)
