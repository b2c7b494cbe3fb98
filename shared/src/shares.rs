//! Whole-number percentages that add up to 100 (largest-remainder method): each share is
//! rounded down, and the points still missing go to the largest remainders, earlier entries
//! first on a tie. Rounding each share on its own gives 101 % for 1:1:1-like results.

/// The percentage of each count in the sum of all; all 0 when the sum is 0. Counts below 2^53
/// are exact (the arithmetic saturates instead of overflowing).
pub fn percentages(counts: &[u64]) -> Vec<u64> {
    let total = counts.iter().fold(0u64, |sum, c| sum.saturating_add(*c));
    if total == 0 {
        return vec![0; counts.len()];
    }
    let scaled = |c: u64| c.saturating_mul(100);
    let mut shares: Vec<u64> = counts.iter().map(|c| scaled(*c) / total).collect();
    let mut missing = 100u64.saturating_sub(shares.iter().sum());
    let remainder = |i: usize| scaled(counts[i]) % total;
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|a, b| remainder(*b).cmp(&remainder(*a)).then(a.cmp(b)));
    for i in order {
        if missing == 0 || remainder(i) == 0 {
            break;
        }
        shares[i] += 1;
        missing -= 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirds_add_up_to_100() {
        assert_eq!(percentages(&[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(percentages(&[2, 2, 2, 1]), vec![29, 29, 28, 14]);
        assert_eq!(percentages(&[3, 0]), vec![100, 0]);
        assert_eq!(percentages(&[]), Vec::<u64>::new());
        assert_eq!(percentages(&[0, 0]), vec![0, 0]);
    }

    #[test]
    fn every_split_of_small_counts_sums_to_100() {
        for a in 0..30u64 {
            for b in 0..30u64 {
                for c in 0..12u64 {
                    let counts = [a, b, c, 1];
                    let shares = percentages(&counts);
                    assert_eq!(shares.iter().sum::<u64>(), 100, "{counts:?} -> {shares:?}");
                    // Never more than one point from the exact share.
                    let total = (a + b + c + 1) as f64;
                    for (count, share) in counts.iter().zip(&shares) {
                        let exact = *count as f64 * 100.0 / total;
                        assert!(
                            (*share as f64 - exact).abs() < 1.0,
                            "{counts:?} -> {shares:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn huge_counts_do_not_overflow() {
        let shares = percentages(&[u64::MAX, u64::MAX]);
        assert_eq!(shares.len(), 2);
        assert_eq!(percentages(&[1 << 52, 1 << 52]), vec![50, 50]);
    }
}
