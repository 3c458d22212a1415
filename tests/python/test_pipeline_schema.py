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


def with_api_source(options):
    """BASE with an API source `feed` whose extra keys are `options` (YAML, indented as the source's keys)."""
    return BASE.replace("sources:\n", "sources:\n  feed:\n    type: api\n    url: https://api.example.com/items\n"
                        + textwrap.indent(textwrap.dedent(options), "    "))


# name -> (pipeline, key path that hyperpipe validate names)
INVALID = {
    "unknown top-level key": (BASE + "colour: blue\n", "colour"),
    "postgres with both table and query": (BASE.replace("    type: csv\n    path: data/orders.csv\n",
                                                        "    type: postgres\n    table: t\n    query: SELECT 1\n"),
                                           "sources.orders.query"),
    "sqlite without a path": (BASE.replace("    type: csv\n    path: data/orders.csv\n", "    type: sqlite\n    table: t\n"),
                              "sources.orders.path"),
    "odbc with a partition": (BASE.replace("    type: csv\n    path: data/orders.csv\n",
                                           "    type: odbc\n    connection: DSN=x\n    table: t\n    partition: {column: id}\n"),
                              "sources.orders.partition"),
    "schedule with a bad overlap": (BASE + "schedule: {cron: '@daily', overlap: wait}\n", "schedule.overlap"),
    "schedule with a bad duration": (BASE + "schedule: {cron: '@daily', max_run_time: 2 hours}\n", "schedule.max_run_time"),
    "schedule with an unknown key": (BASE + "schedule: {cron: '@daily', jitter: 5}\n", "schedule.jitter"),
    "notify with nothing to notify": (BASE + "notify: {on_success: true}\n", "notify.webhook"),
    "notify with an unknown key": (BASE + "notify: {webhook: 'https://hooks.example.com/x', channel: data}\n", "notify.channel"),
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
    "api on_drift maybe": (with_api_source("on_drift: maybe\n"), "sources.feed.on_drift"),
    "api concurrency 65": (with_api_source("concurrency: 65\n"), "sources.feed.concurrency"),
    "api at_max_pages later": (with_api_source("pagination: {type: token, at_max_pages: later}\n"),
                               "sources.feed.pagination.at_max_pages"),
    "oauth2 without token_url": (with_api_source("""\
        auth: {type: oauth2, client_id: me, client_secret: "${HP_SCHEMA_TEST_SECRET:-x}"}
        """), "sources.feed.auth.token_url"),
    "oauth2 with a bearer token": (with_api_source("""\
        auth:
          type: oauth2
          token_url: https://auth.example.com/token
          client_id: me
          client_secret: "${HP_SCHEMA_TEST_SECRET:-x}"
          token: "${HP_SCHEMA_TEST_TOKEN:-x}"
        """), "sources.feed.auth.token"),
    "oauth2 secret written into the file": (with_api_source("""\
        auth: {type: oauth2, token_url: https://auth.example.com/token, client_id: me, client_secret: abc123}
        """), "sources.feed.auth.client_secret"),
    "bearer with an oauth2 scope": (with_api_source("""\
        auth: {type: bearer, token: "${HP_SCHEMA_TEST_TOKEN:-x}", scope: read}
        """), "sources.feed.auth.scope"),
    "fan_out without id_path": (with_api_source("""\
        fan_out: {url: https://api.example.com/details, id_param: id}
        """), "sources.feed.fan_out.id_path"),
    "fan_out over plain http": (with_api_source("""\
        fan_out: {url: http://localhost:8080/details, id_path: id, id_param: id}
        """), "sources.feed.fan_out.url"),
    "fan_out batch_size 0": (with_api_source("""\
        fan_out: {url: https://api.example.com/details, id_path: id, id_param: id, batch_size: 0}
        """), "sources.feed.fan_out.batch_size"),
    "cache with an unknown key": (with_api_source("cache: {dir: .cache, max_size: 100}\n"), "sources.feed.cache.max_size"),
    "cache ttl_seconds 0": (with_api_source("cache: {ttl_seconds: 0}\n"), "sources.feed.cache.ttl_seconds"),
    "csv source with an API key": (BASE.replace("    path: data/orders.csv\n", "    path: data/orders.csv\n    on_drift: warn\n"),
                                   "sources.orders.on_drift"),
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
            server_copy: false
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
            tables: [{name: feed, from: feed, mode: replace}]
            publish: {server: "http://localhost:8800", allow_http: true, mode: append}
        """),
    "schedule policies and notifications": BASE + textwrap.dedent("""\
        schedule:
          cron: "0 6 * * 1-5"
          timezone: Europe/Brussels
          overlap: queue
          catch_up: once
          max_run_time: 2h
          retries: 3
          retry_backoff: 90
        notify:
          webhook: ${HP_SCHEMA_TEST_UNSET:-https://hooks.example.com/services/x}
          command: [/usr/local/bin/page-me, --team, data]
          on_success: yes
          timeout: 10s
        """),
    "database sources": BASE.replace("    type: csv\n    path: data/orders.csv\n",
                                     "    type: postgres\n"
                                     "    connection: ${HP_SCHEMA_TEST_UNSET:-postgresql://reader@db.example.com/sales}\n"
                                     "    table: public.orders\n"
                                     "    partition: {column: id, parts: 4}\n"
                                     "    batch_rows: 100000\n"
                                     "    incremental: {column: updated_at}\n"
                                     "  lite:\n    type: sqlite\n    path: data/app.sqlite\n    query: SELECT * FROM events\n"
                                     "  wh:\n    type: odbc\n"
                                     "    connection: \"DSN=warehouse;UID=reader;PWD=${HP_SCHEMA_TEST_SECRET:-x}\"\n"
                                     "    query: SELECT * FROM sales.orders\n"),
    "notify by a shell command only": BASE + "notify: {command: 'mail -s failed data@example.com < \"$1\"'}\n",
    "api options: concurrency, drift, cache, fan-out, OAuth2": textwrap.dedent("""\
        version: 1
        sources:
          videos:
            type: api
            url: https://api.example.com/search
            params: {q: hyper, maxResults: 50}
            records_path: items
            concurrency: 4
            on_drift: warn
            cache:
              dir: .hyperpipe-cache/videos
              ttl_seconds: ${HP_SCHEMA_TEST_UNSET:-3600}
            fan_out:
              url: https://api.example.com/videos
              params: {part: statistics, hl: en}
              id_path: id.videoId
              id_param: id
              batch_size: 50
              separator: ","
              records_path: items
            pagination: {type: page, param: page, size_param: per_page, size: 50, max_pages: 20, at_max_pages: fail}
            auth:
              type: oauth2
              token_url: https://auth.example.com/oauth/token
              client_id: hyperpipe
              client_secret: "${HP_SCHEMA_TEST_SECRET:-x}"
              scope: videos.read
          local:
            type: api
            url: http://localhost:8080/items
            allow_http: true
            concurrency: ${HP_SCHEMA_TEST_UNSET:-2}
            on_drift: fail
            cache: {}
            fan_out: {url: "http://localhost:8080/details", id_path: id, id_param: ids, batch_size: "${HP_SCHEMA_TEST_UNSET:-10}"}
            pagination: {type: token, at_max_pages: stop}
            auth: {type: oauth2, token_url: "http://localhost:8080/token", client_id: 42, client_secret: "${HP_SCHEMA_TEST_SECRET:-x}"}
          plain:
            type: api
            url: https://api.example.com/plain
            concurrency:
            on_drift:
            cache:
            fan_out:
            pagination: {type: none, at_max_pages: }
        outputs:
          main:
            file: out/videos.hyper
            tables:
              - {name: Extract.videos, from: videos}
              - {name: Extract.local, from: local}
              - {name: Extract.plain, from: plain}
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
