"""What the database-source tests share: a one-source pipeline file, running it, and reading the
extract back with tableauhyperapi (rows in order, and each column's type)."""
import os
import subprocess

from tableauhyperapi import Connection, TableName

from conftest import BUILD

HYPERPIPE = str(BUILD / "src" / "hyperpipe")


def write_pipeline(tmp_path, source, name="p", mode="replace"):
    """A pipeline with one source `src` (`source`: its keys, indented by four spaces) written to
    the output out/NAME.hyper as Extract.Extract."""
    pipeline = tmp_path / f"{name}.yaml"
    pipeline.write_text(f"""version: 1
name: {name}
state_dir: state
sources:
  src:
{source.rstrip()}
outputs:
  out:
    file: out/{name}.hyper
    tables: [{{name: Extract.Extract, from: src, mode: {mode}}}]
""")
    return pipeline


def run(pipeline, env=None, check=0):
    result = subprocess.run([HYPERPIPE, "run", str(pipeline), "--progress", "never"], capture_output=True, text=True,
                            env={**os.environ, **(env or {})}, timeout=600)
    if check is not None:
        assert result.returncode == check, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def read(hyper_process, file, order_by="1"):
    """(rows ordered by `order_by`, {column: type})."""
    with Connection(hyper_process.endpoint, str(file)) as connection:
        rows = connection.execute_list_query(f'SELECT * FROM "Extract"."Extract" ORDER BY {order_by}')
        definition = connection.catalog.get_table_definition(TableName("Extract", "Extract"))
        return rows, {str(c.name).strip('"'): str(c.type) for c in definition.columns}
