//! Report windows and the statistics reports show.

use super::consignment::Period;

/// The most months one report covers: two years and a bit, the span the city office
/// compares across.
pub const MAX_MONTHS: i32 = 36;

/// Consecutive months, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthRange {
    pub from: Period,
    pub to: Period,
}

impl MonthRange {
    /// `from` to `to`, in order and at most [`MAX_MONTHS`] long.
    pub fn new(from: Period, to: Period) -> Result<Self, String> {
        let span = from.months_until(to) + 1;
        if span < 1 {
            Err("must not be before `from`".to_owned())
        } else if span > MAX_MONTHS {
            Err(format!("a report covers at most {MAX_MONTHS} months"))
        } else {
            Ok(Self { from, to })
        }
    }

    /// `months` before to `months` after `centre`.
    pub fn around(centre: Period, months: i32) -> Self {
        Self {
            from: centre.offset(-months),
            to: centre.offset(months),
        }
    }

    pub fn months(&self) -> Vec<Period> {
        (0..=self.from.months_until(self.to))
            .map(|i| self.from.offset(i))
            .collect()
    }

    /// The position of `month` in [`Self::months`], when inside.
    pub fn index_of(&self, month: Period) -> Option<usize> {
        let i = self.from.months_until(month);
        (0..=self.from.months_until(self.to))
            .contains(&i)
            .then_some(i as usize)
    }
}

/// The median of a group of `size` members of whom only `values` are non-zero (the others
/// sold nothing): the middle value, or the mean of the two middle ones rounded down
/// for an even group. 0 for an empty group.
pub fn median_with_zeros(values: &[i128], size: usize) -> i128 {
    if size == 0 {
        return 0;
    }
    let mut sorted: Vec<i128> = values.to_vec();
    sorted.sort_unstable();
    let zeros = size.saturating_sub(sorted.len());
    let at = |i: usize| if i < zeros { 0 } else { sorted[i - zeros] };
    if size % 2 == 1 {
        at(size / 2)
    } else {
        let (a, b) = (at(size / 2 - 1), at(size / 2));
        // Halves first, so two large amounts never overflow.
        a / 2 + b / 2 + (a % 2 + b % 2) / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(raw: &str) -> Period {
        Period::parse(raw).unwrap()
    }

    #[test]
    fn a_range_is_ordered_and_bounded() {
        let r = MonthRange::new(p("2020-11"), p("2021-02")).unwrap();
        let months: Vec<String> = r.months().iter().map(ToString::to_string).collect();
        assert_eq!(months, ["2020-11", "2020-12", "2021-01", "2021-02"]);
        assert_eq!(r.index_of(p("2021-01")), Some(2));
        assert_eq!(r.index_of(p("2021-03")), None);
        assert_eq!(r.index_of(p("2020-10")), None);
        assert!(MonthRange::new(p("2021-02"), p("2021-01")).is_err());
        assert!(MonthRange::new(p("2021-01"), p("2023-12")).is_ok());
        assert!(MonthRange::new(p("2021-01"), p("2024-01")).is_err());
        let around = MonthRange::around(p("2021-02"), 2);
        assert_eq!((around.from, around.to), (p("2020-12"), p("2021-04")));
    }

    #[test]
    fn medians_count_the_members_who_sold_nothing() {
        assert_eq!(median_with_zeros(&[], 0), 0);
        assert_eq!(median_with_zeros(&[500], 1), 500);
        assert_eq!(median_with_zeros(&[500], 3), 0);
        assert_eq!(median_with_zeros(&[300, 100, 200], 3), 200);
        assert_eq!(median_with_zeros(&[300, 100], 3), 100);
        assert_eq!(median_with_zeros(&[100, 400], 2), 250);
        assert_eq!(median_with_zeros(&[101, 400], 2), 250);
        assert_eq!(median_with_zeros(&[i128::MAX, i128::MAX], 2), i128::MAX);
        let big = i128::from(i64::MAX);
        assert_eq!(median_with_zeros(&[big, big, big], 4), big);
    }
}
