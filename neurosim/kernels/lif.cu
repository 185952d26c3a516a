// The continuous LIF's GPU kernels (exact integration): the CUDA twins of
// neurosim.kernels.lif.update and deliver (numpy). Loaded by CuPy (NVRTC) through
// neurosim.kernels.lif.GPU_KERNEL; compiled by nvcc in tests/test_cuda_sources.py; run on the
// host against numpy in tests/test_gpu_continuous.py.
//   p = {v_rest, v_reset, c_i, c_v0, c_vi, e_m}; a, b, c, d unused.

#include "continuous.cuh"

// groups + thresholds for element i at slot step k (threshold only while k < bins):
// v' = c_v0 + (c_vi I + e_m v) (exponential synapse) or v e_m + c_v0 (delta), held while
// refractory (k - last < refr).
template <typename T>
__host__ __device__ __forceinline__ void
neurosim_lif_update_one(long long i, long long neurons, T* v, T* u, T* cur, long long* last,
                        T* notref, T* fired, const T* a, const T* b, const T* p, long long k,
                        long long bins, int exp_syn, long long refr, T vth)
{
    T vv = v[i];
    T i_old = cur[i];
    bool nr = (k - last[i]) >= refr;
    if (exp_syn) {
        cur[i] = neurosim_mul(p[2], i_old);
        if (nr) vv = neurosim_add(p[3], neurosim_add(neurosim_mul(p[4], i_old), neurosim_mul(p[5], vv)));
    } else if (nr) {
        vv = neurosim_add(neurosim_mul(vv, p[5]), p[3]);
    }
    bool fire = k < bins && vv > vth && nr;
    if (fire) {
        last[i] = k;
        nr = false;
    }
    v[i] = vv;
    notref[i] = nr ? (T)1 : (T)0;
    fired[i] = fire ? (T)1 : (T)0;
}

// synapses + resets + end: v = v_reset after a spike; separator: v = v_rest (non-refractory
// neurons), I_syn = 0.
template <typename T>
__host__ __device__ __forceinline__ void
neurosim_lif_deliver_one(long long i, long long neurons, T* v, T* u, T* cur, const T* notref,
                         const T* fired, const T* inp, const T* rec, const T* b, const T* c,
                         const T* d, const T* p, int exp_syn, int deliver, int gated, int clamp)
{
    neurosim_cont_synapses_one(i, v, cur, notref, inp, rec, exp_syn, deliver, gated);
    if (fired[i] != (T)0) v[i] = p[1];
    if (clamp) {
        if (notref[i] != (T)0) v[i] = p[0];
        cur[i] = (T)0;
    }
}

NS_CONTINUOUS_KERNELS(neurosim_lif)
