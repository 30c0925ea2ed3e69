//! ElastiCache Serverless metering: how many ECPUs a request costs.
//!
//! Simple reads and writes cost 1 ECPU per KB transferred (fractional above 1 KB, minimum 1).
//! CPU-heavier commands cost the larger of their vCPU time (as a multiple of a simple GET/SET)
//! and the KB transferred, not the sum; a Memcached multiget of N items costs at least N.

use rust_decimal::Decimal;

use super::workload::SizeBucket;

/// One request as the meter sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    /// KB (1,024 bytes) transferred, in either direction.
    pub kb_transferred: Decimal,
    /// vCPU time as a multiple of a simple GET/SET (1 for simple commands).
    pub vcpu_multiple: Decimal,
    /// Items fetched (Memcached multiget); 1 otherwise.
    pub items: u32,
}

impl Request {
    /// A simple GET/SET moving `kb` KB.
    pub fn simple(kb: Decimal) -> Self {
        Request { kb_transferred: kb, vcpu_multiple: Decimal::ONE, items: 1 }
    }
}

/// ECPUs billed for one request: max(1, KB transferred, vCPU multiple, items).
///
/// ```
/// use capplan::model::metering::{ecpu, Request};
/// use rust_decimal::Decimal;
/// let set = Request::simple(Decimal::new(32, 1)); // SET of 3.2 KB
/// assert_eq!(ecpu(&set), Decimal::new(32, 1));
/// ```
pub fn ecpu(request: &Request) -> Decimal {
    Decimal::ONE.max(request.kb_transferred).max(request.vcpu_multiple).max(Decimal::from(request.items))
}

/// ECPUs per request for a workload's average payload: max(1, `avg_request_kb`).
pub fn ecpu_per_request(avg_request_kb: Decimal) -> Decimal {
    ecpu(&Request::simple(avg_request_kb))
}

/// ECPUs per request over a size distribution: each bucket billed at its own size, weighted by
/// its share. An average size under-counts a mix (90 % of 0.2 KB and 10 % of 20 KB is 2.9 ECPU
/// per request, not the 2.18 of the 2.18 KB average).
///
/// ```
/// use capplan::model::metering::ecpu_per_request_mix;
/// use capplan::model::workload::SizeBucket;
/// use rust_decimal::Decimal;
/// let mix = [
///     SizeBucket { kb: Decimal::new(3, 1), share: Decimal::new(85, 2) },
///     SizeBucket { kb: Decimal::new(32, 1), share: Decimal::new(15, 2) },
/// ];
/// assert_eq!(ecpu_per_request_mix(&mix), Decimal::new(133, 2)); // 0.85 x 1 + 0.15 x 3.2
/// ```
pub fn ecpu_per_request_mix(buckets: &[SizeBucket]) -> Decimal {
    buckets.iter().map(|b| b.share * ecpu_per_request(b.kb)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn req(kb: Decimal, vcpu: Decimal, items: u32) -> Request {
        Request { kb_transferred: kb, vcpu_multiple: vcpu, items }
    }

    #[test]
    fn e1_get_of_at_most_one_kb_is_one_ecpu() {
        assert_eq!(ecpu(&Request::simple(dec!(1))), dec!(1));
        assert_eq!(ecpu(&Request::simple(dec!(0.2))), dec!(1));
        assert_eq!(ecpu(&Request::simple(dec!(0))), dec!(1));
    }

    #[test]
    fn e2_set_of_3_2_kb_is_3_2_ecpu() {
        assert_eq!(ecpu(&Request::simple(dec!(3.2))), dec!(3.2));
    }

    #[test]
    fn e3_hmget_takes_the_larger_dimension_not_the_sum() {
        assert_eq!(ecpu(&req(dec!(3.2), dec!(3), 1)), dec!(3.2));
        assert_eq!(ecpu(&req(dec!(2), dec!(3), 1)), dec!(3));
        assert_eq!(ecpu(&req(dec!(0.1), dec!(3), 1)), dec!(3));
    }

    #[test]
    fn a_size_mix_is_billed_per_request_not_at_the_average() {
        let mix = [SizeBucket { kb: dec!(0.2), share: dec!(0.9) }, SizeBucket { kb: dec!(20), share: dec!(0.1) }];
        assert_eq!(ecpu_per_request_mix(&mix), dec!(2.9));
        let average: Decimal = mix.iter().map(|b| b.kb * b.share).sum();
        assert_eq!(ecpu_per_request(average), dec!(2.18));
    }

    #[test]
    fn e4_memcached_multiget_costs_at_least_one_ecpu_per_item() {
        assert_eq!(ecpu(&req(dec!(0.1), dec!(1), 3)), dec!(3));
        assert_eq!(ecpu(&req(dec!(3.2), dec!(1), 3)), dec!(3.2));
        assert_eq!(ecpu(&req(dec!(2), dec!(1), 3)), dec!(3));
    }
}
