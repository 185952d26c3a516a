// Dense event binning on the GPU: the CUDA twin of neurosim.events.binning.bin_packed.
//
// Loaded by CuPy (cupy.RawModule, NVRTC) from neurosim/events/binning.py and compiled by
// nvcc in tests/test_cuda_sources.py, so it uses no headers. The time-bin formula and the
// cell index are __host__ __device__ functions: the tests also run them on the host and
// compare them with numpy (binning.bin_of), so both backends share one definition.
//
// Shapes and units (N events, n samples):
//   channel  int32 [N]      input channel (p_index*H + y)*W + x
//   t        int64 [N]      timestamp, us
//   sample   int64 [N]      sample of each event
//   t_first  int64 [n]      first timestamp of each sample, us
//   t_last   int64 [n]      last timestamp of each sample, us
//   out      int32 [n, n_bins, n_channels]  counts, zeroed by the caller
// The caller (binning.py) guarantees (t_last - t_first) * n_bins < 2^63 and N < 2^31, so
// neither the 64-bit products below nor the int32 counts can overflow.

// Time bin of an event dt = t - t_first us after its sample's first event, for a sample
// spanning span = t_last - t_first us: floor(dt * n_bins / span), with the closed last
// bin (dt == span goes to n_bins - 1) and span 0 putting everything in bin 0. Same exact
// integer math as binning.bin_of (dt >= 0 and span >= 1, so C's truncating division
// equals numpy's floor division).
extern "C" __host__ __device__ __forceinline__ long long
neurosim_time_bin(long long dt, long long span, long long n_bins)
{
    if (span < 1) span = 1;
    long long b = dt * n_bins / span;
    return b < n_bins - 1 ? b : n_bins - 1;
}

// Flat index of event i's cell in the raster [n, n_bins, n_channels].
extern "C" __host__ __device__ __forceinline__ long long
neurosim_event_cell(long long i, const int* channel, const long long* t,
                    const long long* sample, const long long* t_first,
                    const long long* t_last, long long n_bins, long long n_channels)
{
    long long s = sample[i];
    long long b = neurosim_time_bin(t[i] - t_first[s], t_last[s] - t_first[s], n_bins);
    return (s * n_bins + b) * n_channels + (long long)channel[i];
}

// One thread per event (grid-stride loop), one atomicAdd per event.
extern "C" __global__ void
neurosim_bin_events_dense(const int* channel, const long long* t, const long long* sample,
                          const long long* t_first, const long long* t_last,
                          long long n_events, long long n_bins, long long n_channels,
                          int* out)
{
    long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n_events;
         i += stride) {
        long long cell = neurosim_event_cell(i, channel, t, sample, t_first, t_last, n_bins,
                                             n_channels);
        atomicAdd(out + cell, 1);
    }
}
