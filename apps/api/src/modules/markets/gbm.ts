/**
 * A deterministic log-price path: the same seed and time always give the same value, in any process and in any
 * order of evaluation, so the simulated market's history never jumps across restarts or between machines.
 *
 * Construction: the log deviation X at block boundaries (blocks of 2^17 s ≈ 36 h) is an AR(1) process, which keeps
 * prices near their start level over months (mean reversion with a ~90-day half-life) while behaving like
 * geometric Brownian motion over hours and days; inside a block, X is a Brownian bridge refined by bisection down
 * to one second, each midpoint drawn from a hash of (seed, stream, block, position). Cost per evaluation: 17
 * bisection steps plus a cached block value.
 */

const BLOCK_SECONDS = 2 ** 17;
const YEAR_SECONDS = 365.25 * 86_400;
/** Block index 0 starts here; negative indices work as well. */
const EPOCH_SECONDS = Date.UTC(2024, 0, 1) / 1000;
const HALF_LIFE_BLOCKS = 60;
const PHI = 0.5 ** (1 / HALF_LIFE_BLOCKS);
/** Terms of the AR(1) sum: PHI^600 < 0.001, so older innovations no longer matter. */
const MEMORY_BLOCKS = 600;
const CACHE_LIMIT = 20_000;

function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hash4(seed: number, a: number, b: number, c: number): number {
  let h = mix32(seed ^ Math.imul(a | 0, 0x9e3779b1));
  h = mix32(h ^ Math.imul(b | 0, 0x85ebca77));
  return mix32(h ^ Math.imul(c | 0, 0xc2b2ae3d));
}

/** A standard normal variate from a hash (Box–Muller). */
export function hashNormal(seed: number, a: number, b: number, c: number): number {
  const u1 = (hash4(seed, a, b, c) + 1) / 4_294_967_297;
  const u2 = hash4(seed ^ 0x5bd1e995, a, b, c) / 4_294_967_296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A uniform variate in [0, 1) from a hash. */
export function hashUniform(seed: number, a: number, b: number, c: number): number {
  return hash4(seed ^ 0x27d4eb2f, a, b, c) / 4_294_967_296;
}

/** 32-bit FNV-1a of a string: turns a textual seed into the hash seed. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class LogPath {
  private readonly sigmaPerSecond: number;
  private readonly sigmaBlock: number;
  private readonly innovations = new Map<number, number>();
  private readonly boundaries = new Map<number, number>();

  constructor(
    private readonly seed: number,
    private readonly stream: number,
    volatility: number,
  ) {
    this.sigmaPerSecond = volatility / Math.sqrt(YEAR_SECONDS);
    this.sigmaBlock = this.sigmaPerSecond * Math.sqrt(BLOCK_SECONDS);
  }

  private innovation(k: number): number {
    let e = this.innovations.get(k);
    if (e === undefined) {
      if (this.innovations.size > CACHE_LIMIT) this.innovations.clear();
      e = this.sigmaBlock * hashNormal(this.seed, this.stream * 2 + 1, k, 0);
      this.innovations.set(k, e);
    }
    return e;
  }

  /** X at the start of block k, always as the same finite sum (never a running recurrence, whose rounding drifts). */
  private boundary(k: number): number {
    let x = this.boundaries.get(k);
    if (x === undefined) {
      if (this.boundaries.size > CACHE_LIMIT) this.boundaries.clear();
      x = 0;
      for (let j = k - MEMORY_BLOCKS; j <= k; j++) x = PHI * x + this.innovation(j);
      this.boundaries.set(k, x);
    }
    return x;
  }

  /** Log deviation from the start level at `tSeconds` (Unix seconds, fractional allowed). */
  at(tSeconds: number): number {
    const s = tSeconds - EPOCH_SECONDS;
    const k = Math.floor(s / BLOCK_SECONDS);
    const u = s - k * BLOCK_SECONDS;
    let lo = 0;
    let hi = BLOCK_SECONDS;
    let vLo = this.boundary(k);
    let vHi = this.boundary(k + 1);
    while (hi - lo > 1) {
      const mid = (lo + hi) / 2;
      const vMid = (vLo + vHi) / 2 + this.sigmaPerSecond * Math.sqrt((hi - lo) / 4) * hashNormal(this.seed, this.stream * 2, k, mid);
      if (u < mid) {
        hi = mid;
        vHi = vMid;
      } else {
        lo = mid;
        vLo = vMid;
      }
    }
    return vLo + (vHi - vLo) * (u - lo);
  }
}
