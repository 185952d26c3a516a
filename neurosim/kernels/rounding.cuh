// Separately rounded product and sum for the GPU engine's kernels, on the device and the host.
//
// On the device __fmul_rn/__dmul_rn and __fadd_rn/__dadd_rn never contract into an FMA; on the
// host (the test harnesses) a volatile store stops the compiler from contracting. So a kernel
// written with neurosim_mul/neurosim_add rounds every operation as numpy does, and its float32
// and float64 results equal its numpy twin's bit for bit. Included by the .cu files of this
// folder; neurosim.kernels.source() inlines it for NVRTC.
#ifndef NEUROSIM_ROUNDING_CUH
#define NEUROSIM_ROUNDING_CUH

#ifdef __CUDA_ARCH__
__device__ __forceinline__ float neurosim_mul(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double neurosim_mul(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float neurosim_add(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double neurosim_add(double a, double b) { return __dadd_rn(a, b); }
#else
static inline float neurosim_mul(float a, float b) { volatile float r = a * b; return r; }
static inline double neurosim_mul(double a, double b) { volatile double r = a * b; return r; }
static inline float neurosim_add(float a, float b) { volatile float r = a + b; return r; }
static inline double neurosim_add(double a, double b) { volatile double r = a + b; return r; }
#endif

#endif  // NEUROSIM_ROUNDING_CUH
