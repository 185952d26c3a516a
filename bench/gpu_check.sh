#!/usr/bin/env bash
# GPU check of the gpu engine, for ONE call on a lent GPU machine (run from the repo root):
#
#   bash bench/gpu_check.sh            # ~2-4 min on an H100/H200; writes $OUT (or /tmp/gpu-check)
#
# 1. installs carried wheels, if a wheels/ folder is present: the GPU image has Python 3.12
#    with cupy-cuda13x, numpy, scipy, numba, h5py, scikit-learn, matplotlib, pytest and
#    hypothesis, but not brian2 or tonic. Prepare them beforehand on a networked machine:
#      pip download --only-binary=:all: --python-version 3.12 \
#          --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d wheels brian2 tonic
#    (keep wheels/ untracked or git-ignored and carry it). Without them, the Brian2
#    comparisons in tests/test_gpu_engine.py fail and tests/test_cuda_sources.py cannot be
#    collected (it imports tonic); the test_gpu_* parity tests of the engine need neither.
# 2. runs the GPU tests: tests/test_cuda_sources.py, tests/test_gpu_engine.py and
#    tests/test_gpu_continuous.py (every test; the test_gpu_* ones skip only without
#    CuPy/CUDA, which would be a finding here).
# 3. runs the benchmark bench/gpu_engine.py (N = 1,000, dt = 1 ms, float32, 16,384 random
#    N-MNIST-like samples, batch 1,024 and 4,096) and prints its JSON (target: ≥ 10,000
#    samples/s on an H100), then a shorter one on an Izhikevich reservoir.
# Every step has a timeout; the script always reaches the end and exits with the worst status.
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
status=0

echo "== device"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -2
$PY -c "import cupy; print('cupy', cupy.__version__, 'devices', cupy.cuda.runtime.getDeviceCount())" 2>&1 | tail -1

if [ -d wheels ]; then
    echo "== installing carried wheels"
    pkgs="brian2 tonic"
    timeout 180 $PY -m pip install -q --no-index --find-links wheels/ $pkgs 2>"$OUT/pip.txt" \
        || timeout 180 $PY -m pip install -q --break-system-packages --no-index --find-links wheels/ $pkgs \
            2>>"$OUT/pip.txt" \
        || { echo "wheel install failed (see $OUT/pip.txt)"; tail -3 "$OUT/pip.txt"; }
fi

for t in tests/test_cuda_sources.py tests/test_gpu_engine.py tests/test_gpu_continuous.py; do
    echo "== pytest $t"
    timeout 300 $PY -m pytest -q -p no:cacheprovider -rs "$t" >"$OUT/$(basename "$t" .py).txt" 2>&1
    rc=$?
    tail -15 "$OUT/$(basename "$t" .py).txt"
    [ $rc -ne 0 ] && status=$rc
done

echo "== benchmark"
timeout 240 $PY bench/gpu_engine.py --neurons 1000 --samples 16384 --batch-sizes 1024,4096 \
    --dtype float32 --check-samples 1024 >"$OUT/gpu_bench.json" 2>"$OUT/gpu_bench.err"
rc=$?
cat "$OUT/gpu_bench.json"
[ $rc -ne 0 ] && { echo "benchmark failed ($rc)"; tail -20 "$OUT/gpu_bench.err"; status=$rc; }

echo "== benchmark, Izhikevich reservoir (continuous-model kernels)"
timeout 120 $PY bench/gpu_engine.py --neurons 1000 --samples 4096 --batch-sizes 1024 --dtype float32 \
    --check-samples 256 --set network.model=izhikevich --set network.input_scale=12 \
    --set network.izhikevich.recurrent_scale=3 --set network.izhikevich.inhibitory_gain=1 \
    --set crossbar.adc_mode=ideal >"$OUT/gpu_bench_izh.json" 2>"$OUT/gpu_bench_izh.err"
rc=$?
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps({k: d[k] for k in ('best_samples_per_s', 'accuracy')}))" \
    "$OUT/gpu_bench_izh.json" 2>/dev/null || cat "$OUT/gpu_bench_izh.json"
[ $rc -ne 0 ] && { echo "izhikevich benchmark failed ($rc)"; tail -20 "$OUT/gpu_bench_izh.err"; status=$rc; }
exit $status
