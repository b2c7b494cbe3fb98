//! Whole-number percentages that add up to 100 (largest-remainder method): each share is
//! rounded down, and the points still missing go to the largest remainders, earlier entries
//! first on a tie. Rounding each share on its own gives 101 % for 1:1:1-like results.

/// The percentage of each count in the sum of all; all 0 when the sum is 0. Counts below 2^53
/// are exact (the arithmetic saturates instead of overflowing).
pub fn percentages(counts: &[u64]) -> Vec<u64> {
    (0..counts.len()).map(|i| percentage(counts, i)).collect()
}

/// The percentage of entry `i` as [`percentages`] gives it (0 when there is no such entry),
/// without building the list: what the widgets need for one row at a time.
pub fn percentage(counts: &[u64], i: usize) -> u64 {
    // A total of 0 divides as 1: every count is 0, so is every share.
    let total = counts
        .iter()
        .fold(0u64, |sum, c| sum.saturating_add(*c))
        .max(1);
    // A share rounded down, and its remainder.
    let split = |c: &u64| {
        let scaled = c.saturating_mul(100);
        (scaled / total, scaled % total)
    };
    let Some((share, left)) = counts.get(i).map(split) else {
        return 0;
    };
    let missing = 100u64.saturating_sub(counts.iter().map(|c| split(c).0).sum());
    // The missing points go one each to the largest remainders, the earlier entry first on a
    // tie; this entry gets one if fewer than `missing` come before it. (Counting, not sorting:
    // std's sort would add some 4 KB to the browser bundle.)
    let before = counts
        .iter()
        .enumerate()
        .filter(|(j, c)| {
            let r = split(c).1;
            r > left || (r == left && *j < i)
        })
        .count() as u64;
    share + u64::from(left > 0 && before < missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirds_add_up_to_100() {
        assert_eq!(percentages(&[1, 1, 1]), vec![34, 33, 33]);
        // Rounded each on its own: 17 + 17 + 67 = 101.
        assert_eq!(percentages(&[1, 1, 4]), vec![17, 17, 66]);
        assert_eq!(
            percentages(&[1, 4, 1]),
            vec![17, 67, 16],
            "earlier first on a tie"
        );
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
