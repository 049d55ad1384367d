/**
 * The solver's figures (GiB, $/h, requests/s, headroom ratios) are sums and ratios of decimal
 * fractions, which binary floating point does not hold exactly: two of them within this tolerance
 * are equal.
 */
export const FLOAT_TOLERANCE = 1e-9;
