//! AWS region codes and their names: telling a real region that capplan has no prices for
//! from a typo.

/// Every AWS region code with its name (commercial, `GovCloud` and China partitions), from AWS's
/// "Regions and Availability Zones" list. A region here is real; whether capplan prices it is the
/// price book's business.
pub const AWS_REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-east-2", "Asia Pacific (Taipei)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-6", "Asia Pacific (New Zealand)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("me-central-1", "Middle East (UAE)"),
    ("mx-central-1", "Mexico (Central)"),
    ("sa-east-1", "South America (São Paulo)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
    ("cn-north-1", "China (Beijing)"),
    ("cn-northwest-1", "China (Ningxia)"),
];

/// The name of an AWS region code (`eu-west-1` → `Europe (Ireland)`), if it is one.
pub fn region_name(code: &str) -> Option<&'static str> {
    AWS_REGIONS.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)
}

/// Every region code, in the list's order.
pub fn region_codes() -> impl Iterator<Item = &'static str> {
    AWS_REGIONS.iter().map(|(code, _)| *code)
}

/// Whether `code` is a commercial AWS region (the partition capplan prices: not `GovCloud`, not China).
pub fn is_commercial(code: &str) -> bool {
    region_name(code).is_some() && !code.starts_with("us-gov-") && !code.starts_with("cn-")
}

/// The region code nearest to `input` (at most three edits away), for a "did you mean".
pub fn closest_region(input: &str) -> Option<&'static str> {
    region_codes().map(|c| (strsim::levenshtein(input, c), c)).min().filter(|(d, _)| *d <= 3).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_the_nearest_region_and_partitions_are_told_apart() {
        assert_eq!(closest_region("eu-wset-1"), Some("eu-west-1"));
        assert_eq!(closest_region("us-east1"), Some("us-east-1"));
        assert_eq!(closest_region("mars-north-9"), None);
        assert!(is_commercial("eu-west-1") && is_commercial("ap-east-2"));
        assert!(!is_commercial("us-gov-west-1") && !is_commercial("cn-north-1") && !is_commercial("eu-west-9"));
    }

    #[test]
    fn real_regions_have_names_and_typos_do_not() {
        assert_eq!(region_name("sa-east-1"), Some("South America (São Paulo)"));
        assert_eq!(region_name("ap-southeast-5"), Some("Asia Pacific (Malaysia)"));
        assert_eq!(region_name("us-est-1"), None);
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<&str> = region_codes().collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
