"""benchmarks/valuation_batch.py runs on a small batch and ends with one JSON object of its figures."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "valuation_batch.py"


def test_benchmark_small_batch_prints_its_figures_last():
    run = subprocess.run([sys.executable, str(SCRIPT), "--count", "1500", "--chunk-size", "400", "--loop-sample", "3",
                          "--draws", "1000"], capture_output=True, text=True, check=True, timeout=300)
    lines = run.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["patents"] == 1500 and figures["draws"] == 1000 and figures["resampled"] is True
    assert figures["patents_per_s"] > 0 and figures["seconds"] > 0 and figures["peak_mib"] < 2048
    assert figures["loop_ratio"] > 1 and figures["real_records"] > 100
    assert figures["median_p50_cny"] > 0 and 0 < figures["mean_score"] < 100
    assert lines[0].startswith("real records:") and "resampled to 1,500 patents" in lines[0]
