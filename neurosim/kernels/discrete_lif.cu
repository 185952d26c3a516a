// Fused discrete-LIF neuron update of the GPU engine: the CUDA twin of
// neurosim.kernels.discrete_lif.gpu_update (numpy), the model's BinGpuKernel.
//
// Loaded by CuPy (cupy.RawModule, NVRTC) from neurosim/kernels/discrete_lif.py and compiled by
// nvcc in tests/test_cuda_sources.py; its only header is rounding.cuh (inlined for NVRTC).
// The per-element update is a __host__ __device__ function: tests/test_gpu_engine.py also
// runs it on the host and compares it bit for bit with numpy.
//
// One time step for every (sample, neuron) element i of the state, n = batch * neurons:
//   mem    T [n]  membrane potential (membrane units), updated in place
//   spikes T [n]  0/1 spikes of the previous step in, of this step out (in place)
//   inp    T [n]  input drive of this step, x_b @ W_in (membrane units)
//   rec    T [n]  recurrent drive of this step, s_{b-1} @ W_rec (membrane units)
//   decay, threshold  scalars of type T
//   mem <- ((decay * mem) * (1 - spikes) + inp) + rec ;  spikes <- mem > threshold
// in exactly numpy's evaluation order. Products and sums are rounded separately
// (__fmul_rn/__dmul_rn never contract into an FMA), so float64 and float32 results equal
// numpy's bit for bit.

#include "rounding.cuh"

template <typename T>
__host__ __device__ __forceinline__ void
neurosim_lsm_update_one(long long i, T* mem, T* spikes, const T* inp, const T* rec,
                        T decay, T threshold)
{
    T m = neurosim_mul(neurosim_mul(decay, mem[i]), (T)1 - spikes[i]);
    m = neurosim_add(neurosim_add(m, inp[i]), rec[i]);
    mem[i] = m;
    spikes[i] = m > threshold ? (T)1 : (T)0;
}

template <typename T>
__device__ __forceinline__ void
neurosim_lsm_update(T* mem, T* spikes, const T* inp, const T* rec, T decay, T threshold,
                    long long n)
{
    long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        neurosim_lsm_update_one(i, mem, spikes, inp, rec, decay, threshold);
}

// One thread per element (grid-stride loop).
extern "C" __global__ void
neurosim_lsm_update_f32(float* mem, float* spikes, const float* inp, const float* rec,
                        float decay, float threshold, long long n)
{
    neurosim_lsm_update<float>(mem, spikes, inp, rec, decay, threshold, n);
}

extern "C" __global__ void
neurosim_lsm_update_f64(double* mem, double* spikes, const double* inp, const double* rec,
                        double decay, double threshold, long long n)
{
    neurosim_lsm_update<double>(mem, spikes, inp, rec, decay, threshold, n);
}
