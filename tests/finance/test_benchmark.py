"""benchmarks/securitisation.py runs on a small pool and ends with one JSON object of its figures."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "securitisation.py"


def test_benchmark_small_pool_prints_its_figures_last():
    run = subprocess.run([sys.executable, str(SCRIPT), "--receivables", "500", "--paths", "300"],
                         capture_output=True, text=True, check=True, timeout=120)
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert (figures["receivables"], figures["periods"], figures["paths"]) == (500, 20, 300)
    assert figures["seconds"] >= 0 and 0 < figures["peak_mib"] < 2048  # figures printed, not judged here
    assert set(figures["expected_loss"]) == {"senior", "mezzanine", "subordinated"}
