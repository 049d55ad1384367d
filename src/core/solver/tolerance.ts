/**
 * GiB and $/h figures in the solver are sums of decimal fractions (0.1 GiB, $1.86/h), which binary
 * floating point does not hold exactly: two such figures within this tolerance are equal.
 */
export const GIB_TOLERANCE = 1e-9;
