package io.portflux.scan.space;

/**
 * Permutation is a random-access bijection on the index space {@code [0, size)}: position p of the
 * scan visits index {@code at(p)}.
 *
 * <p>Both kinds take O(1) memory whatever the size, so a scan never materialises its probe list.
 */
public sealed interface Permutation permits Permutation.Sequential, Permutation.Shuffled {

    /** Largest supported size, 2^62; far beyond any scan, and keeps the Feistel domain in a long. */
    long MAX_SIZE = 1L << 62;

    /** The identity order 0, 1, 2, ... */
    static Permutation sequential(long size) {
        return new Sequential(size);
    }

    /** A pseudo-random order fixed by {@code seed}: the same seed always gives the same order. */
    static Permutation random(long size, long seed) {
        return new Shuffled(size, seed);
    }

    /** Number of positions (and of indexes). */
    long size();

    /**
     * The index visited at {@code position}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= position < size()}
     */
    long at(long position);

    private static void checkSize(long size) {
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("permutation size must be in [0, 2^62]: " + size);
        }
    }

    private static void checkPosition(long position, long size) {
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException("position " + position + " outside [0, " + size + ")");
        }
    }

    /** Sequential is the identity permutation. */
    record Sequential(long size) implements Permutation {
        public Sequential {
            checkSize(size);
        }

        @Override
        public long at(long position) {
            checkPosition(position, size);
            return position;
        }
    }

    /**
     * Shuffled is a keyed, unbalanced Feistel network over the smallest power of two that holds
     * {@code size}, restricted to {@code [0, size)} by cycle walking.
     *
     * <p>The domain is less than twice the size, so {@code at} runs the cipher fewer than two times
     * on average; it allocates nothing.
     */
    final class Shuffled implements Permutation {

        private static final int ROUNDS = 6;

        private final long size;
        private final long seed;
        /** Width of the low field, which feeds the round function. */
        private final int lowBits;
        /** Width of the high field, which the round function's output is XORed into. */
        private final int highBits;
        private final long lowMask;
        private final long highMask;
        private final long[] keys = new long[ROUNDS];

        Shuffled(long size, long seed) {
            checkSize(size);
            this.size = size;
            this.seed = seed;
            int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(Math.max(1, size - 1)));
            this.lowBits = bits / 2;
            this.highBits = bits - lowBits;
            this.lowMask = (1L << lowBits) - 1;
            this.highMask = (1L << highBits) - 1;
            long state = seed;
            for (int i = 0; i < ROUNDS; i++) {
                state += 0x9E3779B97F4A7C15L;
                keys[i] = mix(state);
            }
        }

        /** The seed this order was built from. */
        public long seed() {
            return seed;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public long at(long position) {
            checkPosition(position, size);
            long x = position;
            do {
                x = encrypt(x);
            } while (x >= size);
            return x;
        }

        /**
         * One pass of the cipher. Each round maps (high, low) to (low, high ^ F(low)), written with
         * low on top; that is invertible whatever the two widths, so every round, and the whole
         * pass, is a bijection on [0, 2^bits).
         */
        private long encrypt(long x) {
            for (int i = 0; i < ROUNDS; i++) {
                long high = x >>> lowBits;
                long low = x & lowMask;
                x = (low << highBits) | ((high ^ mix(low ^ keys[i])) & highMask);
            }
            return x;
        }

        /** SplitMix64's finaliser: a cheap, well-distributed 64-bit mixing function. */
        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        @Override
        public String toString() {
            return "Shuffled[size=" + size + ", seed=" + seed + "]";
        }
    }
}
