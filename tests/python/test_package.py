"""Issue #18: the Debian package, made by CPack from the tested build, installed on this machine
with dpkg (or unpacked into a scratch root when not run as root), used for the whole job, and
removed with nothing left behind."""
import gzip
import json
import os
import shutil
import subprocess
from pathlib import Path

from conftest import BUILD, ROOT

# Installed binaries and programs built outside the checkout are told where hyperd is, as the
# README tells users to (they do not look into the tree they were built in).
HYPERD = str(next((ROOT / ".venv").glob("lib/python3*/site-packages/tableauhyperapi/bin/hyper/hyperd")))


def test_the_debian_package_installs_runs_the_quickstart_and_removes_cleanly(tmp_path):
    subprocess.run(["cpack", "-G", "DEB", "-B", str(tmp_path / "pkg")], cwd=BUILD, check=True, capture_output=True,
                   timeout=900)
    debs = list((tmp_path / "pkg").glob("hyperpipe_*_amd64.deb"))
    assert len(debs) == 1, list((tmp_path / "pkg").iterdir())
    deb = debs[0]
    info = subprocess.run(["dpkg-deb", "--info", deb], capture_output=True, text=True, check=True).stdout
    depends = next(line for line in info.splitlines() if line.strip().startswith("Depends:"))
    for library in ("libpq5", "libcurl4", "libxml2", "libsqlite3", "libyaml-cpp"):
        assert library in depends, depends
    listing = subprocess.run(["dpkg-deb", "--contents", deb], capture_output=True, text=True, check=True).stdout
    files = [line.split()[-1].lstrip(".") for line in listing.splitlines() if not line.endswith("/")]
    for expected in ("/usr/bin/hyperpipe", "/usr/share/hyperpipe/pipeline.schema.json",
                     "/usr/share/man/man1/hyperpipe.1.gz", "/usr/share/bash-completion/completions/hyperpipe",
                     "/usr/share/doc/hyperpipe/README.md", "/usr/share/doc/hyperpipe/pipeline.md"):
        assert expected in files, listing

    already = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "hyperpipe"], capture_output=True, text=True)
    assert "install ok installed" not in already.stdout, "a hyperpipe package is installed here already: not replacing it"
    installed = os.geteuid() == 0 and shutil.which("dpkg") is not None
    root = Path("/") if installed else tmp_path / "root"
    binary = root / "usr" / "bin" / "hyperpipe"
    try:
        if installed:
            subprocess.run(["dpkg", "-i", deb], check=True, capture_output=True, timeout=300)
        else:
            subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
        assert version.strip().startswith("hyperpipe ")
        # An installed binary does not look into the tree it was built in: without hyperd named
        # (and no tableauhyperapi for python3), doctor says so; named, as the README says, it works.
        plain_env = {k: v for k, v in os.environ.items() if k != "HYPERPIPE_HYPERD"}
        if subprocess.run(["python3", "-c", "import tableauhyperapi"], capture_output=True).returncode != 0:
            lost = subprocess.run([binary, "doctor"], capture_output=True, text=True, env=plain_env, cwd="/")
            assert lost.returncode == 1 and lost.stdout.startswith("FAIL  hyperd: ") and "fix: " in lost.stdout, lost.stdout
        doctor = subprocess.run([binary, "doctor"], capture_output=True, text=True, env={**plain_env, "HYPERPIPE_HYPERD": HYPERD})
        assert doctor.returncode == 0 and doctor.stdout.startswith("ok    hyperd: "), doctor.stdout + doctor.stderr
        manual = gzip.decompress((root / "usr/share/man/man1/hyperpipe.1.gz").read_bytes()).decode()
        assert ".SH COMMANDS" in manual and ".SS load" in manual and ".SS run" in manual
        # The whole job with the installed binary: the quickstart, publishing to its local stand-in.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERPIPE_TABLEAU", "TABLEAU_"))}
        env.update({"HYPERPIPE_BIN": str(binary), "QUICKSTART_OUT": str(tmp_path / "out"), "HYPERPIPE_HYPERD": HYPERD})
        quickstart = subprocess.run([str(ROOT / "scripts" / "quickstart")], capture_output=True, text=True, env=env,
                                    timeout=300)
        assert quickstart.returncode == 0, quickstart.stdout + quickstart.stderr
        assert "the stand-in holds 3 data sources" in quickstart.stdout
    finally:
        if installed:  # whatever happened above: nothing of the package stays on the machine
            subprocess.run(["dpkg", "--purge", "hyperpipe"], capture_output=True, timeout=300)
    if installed:
        left = [path for path in files if Path(path).exists()]
        assert left == [], left
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "hyperpipe"], capture_output=True, text=True)
        assert "install ok installed" not in status.stdout


def test_the_library_is_consumed_out_of_tree_through_cmake_and_pkg_config(tmp_path, hyperpipe):
    """The installed headers and static libraries, found the two usual ways, build the library
    example (examples/write_extract.cpp) outside the project; the extracts it writes are read back."""
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(prefix)], check=True, capture_output=True)
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "CMakeLists.txt").write_text(f"""cmake_minimum_required(VERSION 3.22)
project(consumer CXX)
find_package(hyperpipe 0.1 REQUIRED)
add_executable(write_extract {ROOT / "examples" / "write_extract.cpp"})
target_link_libraries(write_extract PRIVATE hyperpipe::hyperpipe)
""")
    subprocess.run(["cmake", "-S", consumer, "-B", consumer / "build", "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}"],
                   check=True, capture_output=True)
    subprocess.run(["cmake", "--build", consumer / "build"], check=True, capture_output=True, timeout=600)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "hyperpipe"], capture_output=True, text=True,
                           check=True, env={**os.environ, "PKG_CONFIG_PATH": str(prefix / "lib" / "pkgconfig")}).stdout
    assert "pkgconfig/../../" in flags, flags  # relocatable: paths relative to the .pc file
    subprocess.run(["g++", "-o", consumer / "by_pkg_config", ROOT / "examples" / "write_extract.cpp", *flags.split()],
                   check=True, capture_output=True, timeout=600)
    for program in (consumer / "build" / "write_extract", consumer / "by_pkg_config"):
        out = tmp_path / f"{program.name}.hyper"
        subprocess.run([program, out], check=True, capture_output=True, timeout=120,
                       env={**os.environ, "HYPERPIPE_HYPERD": HYPERD})
        report = json.loads(hyperpipe("inspect", out, "--json").stdout)
        assert {t["table"] for t in report["tables"]} >= {"products"}, report
