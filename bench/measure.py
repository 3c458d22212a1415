"""Process measurements shared by the benchmark drivers."""
import subprocess
import sys
import time


def run_sampled_rss(command, env=None):
    """Runs a command to completion: (wall seconds, the process's own peak RSS in MiB), sampling
    VmHWM from /proc, so children (hyperd) do not count."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/status") as status:
                peak = max([peak] + [int(line.split()[1]) for line in status if line.startswith("VmHWM:")])
        except (FileNotFoundError, ProcessLookupError):
            pass
        time.sleep(0.02)
    if process.returncode != 0:
        sys.exit(f"{command} failed:\n{process.stderr.read().decode()}")
    return time.perf_counter() - started, peak / 1024
