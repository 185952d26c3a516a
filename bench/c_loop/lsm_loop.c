/* Yardstick for the cpu engine: a plain single-threaded, event-driven discrete-LIF loop in C.
 *
 * Same update and addition order as neurosim's cpu engine and Brian2 (decay, reset, input rows in
 * ascending input index, recurrent rows of the previous step's spikes in ascending neuron index,
 * threshold), dense float64 rows. Compiled by bench/engines.py with the system cc
 * (-O3 -march=native -mprefer-vector-width=256 -ffp-contract=off; 512-bit vectors measured slower
 * on the AMD EPYC dev machine); never compiled in the tests.
 *
 * usage: lsm_loop IN.bin OUT.bin REPEATS
 *   IN.bin : int64 samples, bins, inputs, neurons; float64 decay, vth;
 *            uint8 raster[samples][bins][inputs]; float64 w_in[inputs][neurons];
 *            float64 w_rec[neurons][neurons]
 *   OUT.bin: uint8 spikes[samples][bins][neurons] (of the last repeat)
 * prints {"seconds": best of REPEATS, "spikes": total} on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *read_all(FILE *f, size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p || fread(p, 1, n, f) != n) { fprintf(stderr, "lsm_loop: short input\n"); exit(1); }
    return p;
}

/* v[j] += row[j] over one row; restrict lets the compiler vectorise without alias checks */
static void add_row(double *restrict v, const double *restrict row, int64_t n) {
    for (int64_t j = 0; j < n; j++) v[j] += row[j];
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: lsm_loop IN.bin OUT.bin REPEATS\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    int64_t hdr[4];
    double par[2];
    if (fread(hdr, 8, 4, f) != 4 || fread(par, 8, 2, f) != 2) { fprintf(stderr, "lsm_loop: bad header\n"); return 1; }
    const int64_t S = hdr[0], B = hdr[1], I = hdr[2], N = hdr[3];
    const double decay = par[0], vth = par[1];
    uint8_t *raster = read_all(f, (size_t)(S * B * I));
    double *w_in = read_all(f, (size_t)(I * N) * 8);
    double *w_rec = read_all(f, (size_t)(N * N) * 8);
    fclose(f);
    uint8_t *spikes = calloc((size_t)(S * B * N), 1);
    double *v = malloc((size_t)N * 8);
    int64_t *spk = malloc((size_t)N * 8);
    int repeats = atoi(argv[3]);
    double best = 1e300;
    long long total = 0;
    for (int r = 0; r < (repeats > 0 ? repeats : 1); r++) {
        memset(spikes, 0, (size_t)(S * B * N));
        total = 0;
        double t0 = now();
        for (int64_t s = 0; s < S; s++) {
            int64_t nspk = 0;
            for (int64_t b = 0; b < B; b++) {
                if (b == 0) {
                    for (int64_t j = 0; j < N; j++) v[j] = 0.0;
                } else {
                    for (int64_t j = 0; j < N; j++) v[j] = decay * v[j];
                    for (int64_t k = 0; k < nspk; k++) v[spk[k]] = 0.0;
                }
                const uint8_t *x = raster + (s * B + b) * I;
                for (int64_t i = 0; i < I; i++) {
                    if (!x[i]) continue;
                    add_row(v, w_in + i * N, N);
                }
                for (int64_t k = 0; k < nspk; k++) {
                    add_row(v, w_rec + spk[k] * N, N);
                }
                nspk = 0;
                uint8_t *out = spikes + (s * B + b) * N;
                for (int64_t j = 0; j < N; j++) {
                    if (v[j] > vth) { out[j] = 1; spk[nspk++] = j; }
                }
                total += nspk;
            }
        }
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    FILE *o = fopen(argv[2], "wb");
    if (!o || fwrite(spikes, 1, (size_t)(S * B * N), o) != (size_t)(S * B * N)) { perror(argv[2]); return 1; }
    fclose(o);
    printf("{\"seconds\": %.9f, \"spikes\": %lld}\n", best, total);
    return 0;
}
