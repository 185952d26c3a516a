// What the continuous-time models' GPU kernels share (lif.cu, izhikevich.cu, or a plugin's):
// the synapse phase of the deliver kernel and the extern "C" entry points.
//
// One time step k of a batch follows Brian2's schedule groups -> thresholds -> synapses ->
// resets -> end in two kernels per model, with the synaptic drives computed in between (cuBLAS):
//   update  (groups, thresholds): integrate v (and u, I_syn); spike where v crosses vth;
//   deliver (synapses, resets, end): add the drives to v (delta synapse) or I_syn
//            (exponential), dropped for refractory neurons when gated; reset the neurons that
//            fired; in separator steps clamp the state to rest.
// Every array is [batch * neurons] (element i is neuron i % neurons of sample i / neurons)
// except a, b, c, d ([neurons], per-neuron parameters) and p (the model's constants).
// A model defines, for element i (as __host__ __device__, so tests run them on the host):
//   template <typename T> void NAME_update_one(long long i, long long neurons, T* v, T* u,
//       T* cur, long long* last, T* notref, T* fired, const T* a, const T* b, const T* p,
//       long long k, long long bins, int exp_syn, long long refr, T vth);
//   template <typename T> void NAME_deliver_one(long long i, long long neurons, T* v, T* u,
//       T* cur, const T* notref, const T* fired, const T* inp, const T* rec, const T* b,
//       const T* c, const T* d, const T* p, int exp_syn, int deliver, int gated, int clamp);
// then NS_CONTINUOUS_KERNELS(NAME) defines NAME_update_f32/_f64 and NAME_deliver_f32/_f64
// (one thread per element, grid-stride loop). Each product and sum is rounded on its own
// (rounding.cuh: no FMA contraction), in the order of the numpy twin, so float32 and float64
// results equal numpy's bit for bit. The .cu files include this header; NVRTC gets it inlined.
#ifndef NEUROSIM_CONTINUOUS_CUH
#define NEUROSIM_CONTINUOUS_CUH

#include "rounding.cuh"

// synapses: add this step's input and recurrent drives (in that order) to I_syn (exp_syn) or
// v, unless the neuron is refractory and the synapse gated (Brian2's v (unless refractory)).
template <typename T>
__host__ __device__ __forceinline__ void
neurosim_cont_synapses_one(long long i, T* v, T* cur, const T* notref, const T* inp, const T* rec,
                           int exp_syn, int deliver, int gated)
{
    if (deliver && (!gated || notref[i] != (T)0)) {
        T* tgt = exp_syn ? cur : v;
        tgt[i] = neurosim_add(neurosim_add(tgt[i], inp[i]), rec[i]);
    }
}

#define NS_CONT_ENTRY(NAME, T, SUFFIX)                                                          \
extern "C" __global__ void                                                                      \
NAME##_update_##SUFFIX(long long n, long long neurons, T* v, T* u, T* cur, long long* last,     \
                       T* notref, T* fired, const T* a, const T* b, const T* p, long long k,    \
                       long long bins, int exp_syn, long long refr, T vth)                      \
{                                                                                               \
    long long stride = (long long)blockDim.x * gridDim.x;                                       \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)    \
        NAME##_update_one<T>(i, neurons, v, u, cur, last, notref, fired, a, b, p, k, bins,      \
                             exp_syn, refr, vth);                                               \
}                                                                                               \
extern "C" __global__ void                                                                      \
NAME##_deliver_##SUFFIX(long long n, long long neurons, T* v, T* u, T* cur, const T* notref,    \
                        const T* fired, const T* inp, const T* rec, const T* b, const T* c,     \
                        const T* d, const T* p, int exp_syn, int deliver, int gated, int clamp) \
{                                                                                               \
    long long stride = (long long)blockDim.x * gridDim.x;                                       \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)    \
        NAME##_deliver_one<T>(i, neurons, v, u, cur, notref, fired, inp, rec, b, c, d, p,       \
                              exp_syn, deliver, gated, clamp);                                  \
}

#define NS_CONTINUOUS_KERNELS(NAME) NS_CONT_ENTRY(NAME, float, f32) NS_CONT_ENTRY(NAME, double, f64)

#endif  // NEUROSIM_CONTINUOUS_CUH
