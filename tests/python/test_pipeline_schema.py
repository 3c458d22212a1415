"""docs/pipeline.schema.json, the editors' schema of pipeline files, against the parser: it is a
valid JSON Schema, every example pipeline (examples/**/*.yaml and the one at the top of
docs/pipeline.md) matches it, and pipelines the parser refuses are refused by the schema too,
while `hyperpipe validate` reports them with a line and column."""
import json
import re
import textwrap

import jsonschema
import pytest
import yaml

from conftest import ROOT

SCHEMA_FILE = ROOT / "docs" / "pipeline.schema.json"
GUIDE = ROOT / "docs" / "pipeline.md"


class Loader(yaml.SafeLoader):
    """YAML as yaml-cpp and editors read it: dates stay text (PyYAML would make them objects)."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text):
    return yaml.load(text, Loader=Loader)


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def schema_errors(validator, text):
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(load(text))]


def guide_example():
    match = re.search(r"^```yaml\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.S | re.M)
    assert match, "docs/pipeline.md has no ```yaml block"
    return match.group(1)


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_example_pipeline_matches_the_schema(validator):
    documents = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
                 for p in sorted([*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("examples/**/*.yml")])}
    documents["docs/pipeline.md (first yaml block)"] = guide_example()
    problems = {name: errors for name, text in documents.items() if (errors := schema_errors(validator, text))}
    assert not problems, json.dumps(problems, indent=2)


def test_the_guides_example_is_valid_for_hyperpipe(hyperpipe, tmp_path, monkeypatch):
    monkeypatch.setenv("EXAMPLE_API_KEY", "example-key")
    monkeypatch.setenv("TABLEAU_SERVER", "https://tableau.example.com")
    path = tmp_path / "shop.yaml"
    path.write_text(guide_example(), encoding="utf-8")
    result = hyperpipe("validate", path)
    assert result.stdout == f"{path}: valid: 3 sources, 1 transform, 2 outputs (3 tables), 1 publish target\n"


BASE = """\
version: 1
sources:
  orders:
    type: csv
    path: data/orders.csv
outputs:
  sales:
    file: out/sales.hyper
    tables:
      - name: Extract.orders
        from: orders
"""

# name -> (pipeline, key path that hyperpipe validate names)
INVALID = {
    "unknown top-level key": (BASE + "colour: blue\n", "colour"),
    "csv source with sheet": (BASE.replace("    path: data/orders.csv\n", "    path: data/orders.csv\n    sheet: Sheet1\n"),
                              "sources.orders.sheet"),
    "table with a bad mode": (BASE + "        mode: upsert\n", "outputs.sales.tables[0].mode"),
    "file_version 5": (BASE.replace("    file: out/sales.hyper\n", "    file: out/sales.hyper\n    file_version: 5\n"),
                       "outputs.sales.file_version"),
    "missing outputs": (BASE.split("outputs:")[0], "outputs"),
    "replace_by_key without key": (BASE + "        mode: replace_by_key\n", "outputs.sales.tables[0].mode"),
    "table with from and sql": (BASE + "        sql: SELECT 1\n", "outputs.sales.tables[0].sql"),
    "secret written into the file": (BASE.replace("sources:\n", textwrap.dedent("""\
        sources:
          feed:
            type: api
            url: https://api.example.com/items
            auth: {type: bearer, token: abc123}
        """)), "sources.feed.auth.token"),
    "publish over plain http": (BASE + "    publish: {server: http://tableau.example.com}\n", "outputs.sales.publish.server"),
    "reserved transform name": (BASE + "transforms:\n  - {name: hp_orders, sql: SELECT 1}\n", "transforms[0].name"),
}


@pytest.mark.parametrize("case", INVALID)
def test_invalid_pipelines_are_refused_by_schema_and_validate(validator, hyperpipe, tmp_path, case):
    text, key_path = INVALID[case]
    assert schema_errors(validator, text), f"the schema accepts: {case}"
    path = tmp_path / "pipeline.yaml"
    path.write_text(text, encoding="utf-8")
    result = hyperpipe("validate", path, check=False)
    assert result.returncode == 8, result.stdout + result.stderr
    assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: {re.escape(key_path)}: ", result.stderr, re.M), result.stderr
    assert "nothing was run" in result.stderr


# Accepted by the parser, so the schema must accept them too.
VALID = {
    "base": BASE,
    "lists, flags, defaults and a merge key": textwrap.dedent("""\
        version: 1
        name: variants
        parallel_sources: ${HP_SCHEMA_TEST_UNSET:-3}
        sources:
          orders:
            type: csv
            path: [data/a.csv, "data/b-*.csv"]
            header: yes
            delimiter: tab
            "null": NA
            sample_rows: 0
            columns: {id: bigint, day: date}
            date_formats: "%d/%m/%Y"
            incremental: {column: id}
            on_error: reject
          events:
            type: json
            path: data/events.ndjson
            records_path: data.items
            max_depth: 3
          sheet:
            type: xlsx
            path: data/book.xlsx
            sheet: 2
          facts:
            type: parquet
            path: data/facts.parquet
          feed:
            type: api
            url: https://api.example.com/items?since=${state.watermark}
            method: POST
            body: '{"since": "${state.watermark}"}'
            params: {limit: 100, active: true, tag: x}
            headers: {X-Client: hyperpipe}
            pagination: {type: page, param: p, size_param: per_page, size: 100, first: 0, max_pages: 50}
            auth: {type: basic, username: me, password: "${HP_SCHEMA_TEST_PASSWORD:-x}"}
            timeout_seconds: 30
            requests_per_second: 2.5
            incremental: {column: updated}
        transforms:
          - name: joined
            sql: SELECT o.*, e.kind FROM orders AS o JOIN events AS e ON e.id = o.id;
        outputs:
          main:
            file: out/main.hyper
            file_version: 3
            tables:
              - name: Extract.orders
                from: joined
                mode: append
              - name: '"My Schema"."events"'
                sql: SELECT * FROM events_items
                mode: replace_by_key
                key: [id, _row_id]
                primary_key: [id, _row_id]
                foreign_keys:
                  - {columns: id, references: Extract.orders, referenced_columns: id}
            publish:
              - &target {server: tableau.example.com, project: A/B, mode: overwrite, as_job: on}
              - {<<: *target, name: Copy, allow_http: false}
          single:
            file: out/single.hyper
            tables: [{name: feed, from: feed, mode: append}]
            publish: {server: "http://localhost:8800", allow_http: true, mode: append}
        """),
}


@pytest.mark.parametrize("case", VALID)
def test_valid_pipelines_are_accepted_by_schema_and_validate(validator, hyperpipe, tmp_path, case):
    assert not schema_errors(validator, VALID[case])
    path = tmp_path / "pipeline.yaml"
    path.write_text(VALID[case], encoding="utf-8")
    result = hyperpipe("validate", path, check=False)
    assert result.returncode == 0, result.stderr
    assert ": valid: " in result.stdout
