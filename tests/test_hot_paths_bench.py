"""bench/hot_paths.py: its numpy pairs compute the same results both ways and report positive times."""

from __future__ import annotations

from studies import load_bench_script


def test_hot_path_pairs_report_times_and_ratios():
    bench = load_bench_script("hot_paths.py")
    out = bench.numpy_paths(repeat=1)          # asserts window_sums == reduceat itself
    for name in ("window_sums", "gelu_cube"):
        pair = out[name]
        assert pair["current_cpu_s"] > 0 and pair["replaced_cpu_s"] > 0
        assert pair["ratio"] == pair["replaced_cpu_s"] / pair["current_cpu_s"]
