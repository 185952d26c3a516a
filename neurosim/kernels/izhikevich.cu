// The Izhikevich model's GPU kernels (forward Euler): the CUDA twins of
// neurosim.kernels.izhikevich.update and deliver (numpy). Loaded by CuPy (NVRTC) through
// neurosim.kernels.izhikevich.GPU_KERNEL; compiled by nvcc in tests/test_cuda_sources.py; run
// on the host against numpy in tests/test_gpu_continuous.py.
//   p = {1 - dt/tau_syn, h = dt / 1 ms, 140 + bias, V_INIT}; a, b, c, d per neuron.

#include "continuous.cuh"

// groups + thresholds for element i at slot step k (spike where v >= vth while k < bins).
template <typename T>
__host__ __device__ __forceinline__ void
neurosim_izh_update_one(long long i, long long neurons, T* v, T* u, T* cur, long long* last,
                        T* notref, T* fired, const T* a, const T* b, const T* p, long long k,
                        long long bins, int exp_syn, long long refr, T vth)
{
    long long j = i % neurons;
    T vv = v[i];
    T i_old = cur[i];
    T h = p[1];
    T uu = u[i];
    T poly = neurosim_add(neurosim_mul(vv, (T)0.04), (T)5);
    T drive;
    if (exp_syn) {
        cur[i] = neurosim_mul(p[0], i_old);
        drive = neurosim_add(neurosim_add(p[2], i_old), neurosim_add(neurosim_mul(poly, vv), -uu));
    } else {
        drive = neurosim_add(neurosim_mul(poly, vv), neurosim_add(p[2], -uu));
    }
    u[i] = neurosim_add(neurosim_mul(neurosim_mul(h, a[j]), neurosim_add(neurosim_mul(vv, b[j]), -uu)), uu);
    vv = neurosim_add(neurosim_mul(drive, h), vv);
    bool fire = k < bins && vv >= vth;
    if (fire) last[i] = k;
    v[i] = vv;
    notref[i] = fire ? (T)0 : (T)1;
    fired[i] = fire ? (T)1 : (T)0;
}

// synapses + resets + end: v = c, u += d after a spike; separator: v = V_INIT, u = b V_INIT,
// I_syn = 0.
template <typename T>
__host__ __device__ __forceinline__ void
neurosim_izh_deliver_one(long long i, long long neurons, T* v, T* u, T* cur, const T* notref,
                         const T* fired, const T* inp, const T* rec, const T* b, const T* c,
                         const T* d, const T* p, int exp_syn, int deliver, int gated, int clamp)
{
    long long j = i % neurons;
    neurosim_cont_synapses_one(i, v, cur, notref, inp, rec, exp_syn, deliver, gated);
    if (fired[i] != (T)0) {
        v[i] = c[j];
        u[i] = neurosim_add(u[i], d[j]);
    }
    if (clamp) {
        v[i] = p[3];
        u[i] = neurosim_mul(p[3], b[j]);
        cur[i] = (T)0;
    }
}

NS_CONTINUOUS_KERNELS(neurosim_izh)
