"""`hyperpipe inspect` on a file written by pantab reports the tables, types, nullability and
row counts that the official tableauhyperapi catalog reports."""
import json

import pandas as pd
import pantab
from tableauhyperapi import Connection

# tableauhyperapi's type names -> the SQL spelling hyperpipe prints.
TYPE_NAMES = {
    "BIG_INT": "BIGINT", "SMALL_INT": "SMALLINT", "INT": "INTEGER", "DOUBLE": "DOUBLE PRECISION", "TEXT": "TEXT",
    "BOOL": "BOOLEAN", "TIMESTAMP": "TIMESTAMP", "TIMESTAMP_TZ": "TIMESTAMP WITH TIME ZONE", "DATE": "DATE",
}


def frames():
    people = pd.DataFrame({
        "id": pd.array([1, None, 3], dtype="Int64"),
        "age": pd.array([30, 40, 50], dtype="int16"),
        "score": pd.array([7, 8, 9], dtype="int32"),
        "ratio": [1.5, None, 2.0],
        "name": pd.array(["a", None, "ü"], dtype="string"),
        "active": [True, False, True],
        "seen": pd.to_datetime(["2024-01-01 00:00:00", None, "2024-03-01 12:00:00.123456"], format="ISO8601"),
        "seen_utc": pd.to_datetime(["2024-01-01", None, "2024-03-01"]).tz_localize("UTC"),
    })
    return {"people": people, ("Other", "sample"): people.head(2)}


def test_inspect_matches_tableauhyperapi_on_a_pantab_file(tmp_path, hyperpipe, hyper_process):
    path = tmp_path / "pantab.hyper"
    pantab.frames_to_hyper(frames(), str(path))

    report = json.loads(hyperpipe("inspect", path, "--json").stdout)

    expected = {}
    with Connection(hyper_process.endpoint, str(path)) as connection:
        for schema in connection.catalog.get_schema_names():
            for table in connection.catalog.get_table_names(schema):
                definition = connection.catalog.get_table_definition(table)
                count = connection.execute_scalar_query(f"SELECT count(*) FROM {table}")
                expected[(schema.name.unescaped, table.name.unescaped)] = {
                    "row_count": count,
                    "columns": [(c.name.unescaped, TYPE_NAMES[str(c.type)], str(c.nullability) == "Nullability.NULLABLE")
                                for c in definition.columns],
                }
    ours = {(t["schema"], t["table"]): {"row_count": t["row_count"],
                                        "columns": [(c["name"], c["type"], c["nullable"]) for c in t["columns"]]}
            for t in report["tables"]}
    assert ours == expected
    assert set(expected) == {("public", "people"), ("Other", "sample")}
    assert report["file_version"] in (0, 1, 2, 3, 4)
    assert sorted(report["schemas"]) == ["Other", "public"]
