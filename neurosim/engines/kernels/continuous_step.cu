// Continuous-time neuron models of the GPU engine (``lif``: exact integration, ``izhikevich``:
// forward Euler): the CUDA twins of neurosim.engines.continuous_step.continuous_update and
// continuous_deliver (numpy).
//
// Loaded by CuPy (cupy.RawModule, NVRTC) from neurosim/engines/continuous_step.py and compiled
// by nvcc in tests/test_cuda_sources.py; its only header is rounding.cuh (inlined for NVRTC).
// The per-element functions are __host__ __device__: tests/test_gpu_continuous.py runs them on
// the host and compares them bit for bit with numpy.
//
// One time step k of a batch follows Brian2's schedule groups -> thresholds -> synapses ->
// resets -> end in two kernels, with the synaptic drives computed in between (cuBLAS):
//   update  (groups, thresholds): integrate v (and u, I_syn); spike where v crosses vth;
//   deliver (synapses, resets, end): add the drives to v (delta synapse) or I_syn
//            (exponential), dropped for refractory neurons when gated; reset the neurons that
//            fired; in separator steps clamp the state to rest.
// Every array is [batch * neurons] (element i is neuron i % neurons of sample i / neurons)
// except a, b, c, d ([neurons], Izhikevich parameters) and p (the model's constants):
//   lif:        p = {v_rest, v_reset, c_i, c_v0, c_vi, e_m}
//   izhikevich: p = {1 - dt/tau_syn, h = dt / 1 ms, 140 + bias, V_INIT}
// Each product and sum is rounded on its own (no FMA contraction), in the order written in
// the numpy twin, so float32 and float64 results equal numpy's bit for bit.

#include "rounding.cuh"

#define NS_MODEL_LIF 0
#define NS_MODEL_IZH 1

// groups + thresholds for element i at slot step k (threshold only while k < bins).
// last: step of the neuron's last spike; notref, fired: 0/1 out.
template <typename T>
__host__ __device__ __forceinline__ void
neurosim_cont_update_one(long long i, long long neurons, T* v, T* u, T* cur, long long* last,
                         T* notref, T* fired, const T* a, const T* b, const T* p, long long k,
                         long long bins, int model, int exp_syn, long long refr, T vth)
{
    long long j = i % neurons;
    T vv = v[i];
    T i_old = cur[i];
    bool nr = true;
    if (model == NS_MODEL_LIF) {
        nr = (k - last[i]) >= refr;
        if (exp_syn) {
            cur[i] = neurosim_mul(p[2], i_old);
            if (nr) vv = neurosim_add(p[3], neurosim_add(neurosim_mul(p[4], i_old), neurosim_mul(p[5], vv)));
        } else if (nr) {
            vv = neurosim_add(neurosim_mul(vv, p[5]), p[3]);
        }
    } else {
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
    }
    bool fire = false;
    if (k < bins) fire = model == NS_MODEL_LIF ? (vv > vth && nr) : (vv >= vth);
    if (fire) {
        last[i] = k;
        nr = false;
    }
    v[i] = vv;
    notref[i] = nr ? (T)1 : (T)0;
    fired[i] = fire ? (T)1 : (T)0;
}

// synapses + resets + end for element i. deliver: whether drives arrive this step (inp, rec:
// input and recurrent drive, added in that order); gated: drop them for refractory neurons;
// clamp: separator step (state back to rest).
template <typename T>
__host__ __device__ __forceinline__ void
neurosim_cont_deliver_one(long long i, long long neurons, T* v, T* u, T* cur, const T* notref,
                          const T* fired, const T* inp, const T* rec, const T* b, const T* c,
                          const T* d, const T* p, int model, int exp_syn, int deliver, int gated,
                          int clamp)
{
    long long j = i % neurons;
    if (deliver && (!gated || notref[i] != (T)0)) {
        T* tgt = exp_syn ? cur : v;
        tgt[i] = neurosim_add(neurosim_add(tgt[i], inp[i]), rec[i]);
    }
    if (fired[i] != (T)0) {
        if (model == NS_MODEL_LIF) {
            v[i] = p[1];
        } else {
            v[i] = c[j];
            u[i] = neurosim_add(u[i], d[j]);
        }
    }
    if (clamp) {
        if (model == NS_MODEL_LIF) {
            if (notref[i] != (T)0) v[i] = p[0];
        } else {
            v[i] = p[3];
            u[i] = neurosim_mul(p[3], b[j]);
        }
        cur[i] = (T)0;
    }
}

template <typename T>
__device__ __forceinline__ void
neurosim_cont_update(long long n, long long neurons, T* v, T* u, T* cur, long long* last, T* notref,
                     T* fired, const T* a, const T* b, const T* p, long long k, long long bins,
                     int model, int exp_syn, long long refr, T vth)
{
    long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        neurosim_cont_update_one(i, neurons, v, u, cur, last, notref, fired, a, b, p, k, bins,
                                 model, exp_syn, refr, vth);
}

template <typename T>
__device__ __forceinline__ void
neurosim_cont_deliver(long long n, long long neurons, T* v, T* u, T* cur, const T* notref,
                      const T* fired, const T* inp, const T* rec, const T* b, const T* c,
                      const T* d, const T* p, int model, int exp_syn, int deliver, int gated,
                      int clamp)
{
    long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        neurosim_cont_deliver_one(i, neurons, v, u, cur, notref, fired, inp, rec, b, c, d, p,
                                  model, exp_syn, deliver, gated, clamp);
}

// One thread per element (grid-stride loop), one entry point per dtype and phase.
#define NS_CONT_KERNELS(T, SUFFIX)                                                             \
extern "C" __global__ void                                                                     \
neurosim_cont_update_##SUFFIX(long long n, long long neurons, T* v, T* u, T* cur,              \
                              long long* last, T* notref, T* fired, const T* a, const T* b,    \
                              const T* p, long long k, long long bins, int model, int exp_syn, \
                              long long refr, T vth)                                           \
{                                                                                              \
    neurosim_cont_update<T>(n, neurons, v, u, cur, last, notref, fired, a, b, p, k, bins,      \
                            model, exp_syn, refr, vth);                                        \
}                                                                                              \
extern "C" __global__ void                                                                     \
neurosim_cont_deliver_##SUFFIX(long long n, long long neurons, T* v, T* u, T* cur,             \
                               const T* notref, const T* fired, const T* inp, const T* rec,    \
                               const T* b, const T* c, const T* d, const T* p, int model,      \
                               int exp_syn, int deliver, int gated, int clamp)                 \
{                                                                                              \
    neurosim_cont_deliver<T>(n, neurons, v, u, cur, notref, fired, inp, rec, b, c, d, p,       \
                             model, exp_syn, deliver, gated, clamp);                           \
}

NS_CONT_KERNELS(float, f32)
NS_CONT_KERNELS(double, f64)
