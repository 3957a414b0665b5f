//! The project's one discrimination index: the item–rest correlation, the correlation of an
//! item's points with the rest of the test (the candidate's total less the item), over everyone
//! who had the item. `grade` (results.json) and `report` (item-analysis.csv) both compute it
//! here, from the same running sums.
//!
//! The rest of the test is used rather than the total, because the total contains the item: with
//! few items an item–total correlation is high even for an item that measures nothing else.

/// Running sums of an item's points x and the candidates' totals y.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Moments {
    pub n: u64,
    /// Σx, Σx², Σy, Σy², Σxy.
    pub sx: f64,
    pub sxx: f64,
    pub sy: f64,
    pub syy: f64,
    pub sxy: f64,
}

/// What the item–rest correlation is made of: sample variances and covariance, and Σ rest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemRest {
    /// Sample variance of the item's points.
    pub var_x: f64,
    /// Σr, where r = y − x.
    pub sr: f64,
    /// Sample covariance of item and rest.
    pub cov: f64,
    /// The item–rest correlation; none when either score does not vary.
    pub r: Option<f64>,
}

impl Moments {
    /// Adds one candidate's item points `x` and total `y`.
    pub fn add(&mut self, x: f64, y: f64) {
        self.n += 1;
        self.sx += x;
        self.sxx += x * x;
        self.sxy += x * y;
        self.sy += y;
        self.syy += y * y;
    }

    /// The item–rest statistics.
    pub fn item_rest(&self) -> ItemRest {
        let n = self.n as f64;
        let var_x = sample_var(self.n, self.sx, self.sxx);
        // Rest r = y − x: Σr = Σy − Σx, Σr² = Σy² − 2Σxy + Σx², Σxr = Σxy − Σx².
        let sr = self.sy - self.sx;
        let srr = self.syy - 2.0 * self.sxy + self.sxx;
        let sxr = self.sxy - self.sxx;
        let var_r = sample_var(self.n, sr, srr);
        let cov = if self.n > 1 {
            (sxr - self.sx * sr / n) / (n - 1.0)
        } else {
            0.0
        };
        let r = (var_x > 1e-12 && var_r > 1e-12).then(|| cov / (var_x * var_r).sqrt());
        ItemRest { var_x, sr, cov, r }
    }
}

/// Sample variance from n, Σv, Σv².
pub fn sample_var(n: u64, s: f64, ss: f64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let n = n as f64;
    ((ss - s * s / n) / (n - 1.0)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::Moments;

    #[test]
    fn item_rest_is_the_correlation_with_the_total_less_the_item() {
        // Five candidates: item points x and totals y (the item included).
        let data = [(1.0, 3.0), (1.0, 2.0), (0.0, 1.0), (1.0, 1.0), (0.0, 0.0)];
        let mut m = Moments::default();
        for (x, y) in data {
            m.add(x, y);
        }
        // By hand on (x, y − x): x̄ = .6, r̄ = .8, cov = .2/4·… = Σ(x−x̄)(r−r̄)/4.
        let rest: Vec<(f64, f64)> = data.iter().map(|&(x, y)| (x, y - x)).collect();
        let mean = |f: fn(&(f64, f64)) -> f64| rest.iter().map(f).sum::<f64>() / 5.0;
        let (mx, mr) = (mean(|p| p.0), mean(|p| p.1));
        let cov: f64 = rest.iter().map(|p| (p.0 - mx) * (p.1 - mr)).sum::<f64>() / 4.0;
        let vx: f64 = rest.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>() / 4.0;
        let vr: f64 = rest.iter().map(|p| (p.1 - mr).powi(2)).sum::<f64>() / 4.0;
        let want = cov / (vx * vr).sqrt();
        assert!((m.item_rest().r.unwrap() - want).abs() < 1e-12);
        // The item–total correlation of the same data is higher: the total holds the item.
        let mt: f64 = data.iter().map(|p| p.1).sum::<f64>() / 5.0;
        let cov_t: f64 = data.iter().map(|p| (p.0 - mx) * (p.1 - mt)).sum::<f64>() / 4.0;
        let vt: f64 = data.iter().map(|p| (p.1 - mt).powi(2)).sum::<f64>() / 4.0;
        assert!(cov_t / (vx * vt).sqrt() > want + 0.1);
    }

    #[test]
    fn no_correlation_when_a_score_does_not_vary() {
        let mut m = Moments::default();
        for y in [1.0, 2.0, 3.0] {
            m.add(1.0, y);
        }
        assert_eq!(m.item_rest().r, None);
    }
}
