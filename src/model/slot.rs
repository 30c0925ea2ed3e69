//! Hash slots: which of the 16,384 slots of a cluster-mode engine (every ElastiCache Serverless
//! cache, node-based with cluster mode on) a key lives in, and whether a set of keys spans slots —
//! the condition under which a multi-key command fails with `CROSSSLOT`.
//!
//! Slot = CRC16-XMODEM(key) mod 16384, where the key is replaced by its hash tag: the bytes
//! between the first `{` and the first `}` after it, when that part is not empty (the Redis
//! cluster specification; FACTS: "Slot = CRC16-XMODEM(key or its {hash tag}) mod 16384").

/// Number of hash slots in a cluster.
pub const SLOTS: u16 = 16_384;

/// CRC16-XMODEM (polynomial 0x1021, initial value 0), the checksum Redis Cluster uses.
///
/// ```
/// use capplan::model::slot::crc16;
/// assert_eq!(crc16(b"123456789"), 0x31C3); // the check value of CRC-16/XMODEM
/// ```
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in bytes {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 == 0 { crc << 1 } else { (crc << 1) ^ 0x1021 };
        }
    }
    crc
}

/// The part of `key` that is hashed: its `{hash tag}` when it has a non-empty one, else the key.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = key.iter().position(|b| *b == b'{')
        && let Some(len) = key[open + 1..].iter().position(|b| *b == b'}')
        && len > 0
    {
        return &key[open + 1..open + 1 + len];
    }
    key
}

/// The hash slot of `key`.
///
/// ```
/// use capplan::model::slot::key_slot;
/// assert_eq!(key_slot(b"{user42}:a"), key_slot(b"{user42}:b"));
/// assert_ne!(key_slot(b"session:abc"), key_slot(b"cache:xyz"));
/// ```
pub fn key_slot(key: &[u8]) -> u16 {
    crc16(hash_tag(key)) % SLOTS
}

/// Whether `keys` hash to more than one slot (what makes a multi-key command fail with CROSSSLOT).
pub fn spans_slots<'a>(keys: impl IntoIterator<Item = &'a [u8]>) -> bool {
    let mut first = None;
    for key in keys {
        let slot = key_slot(key);
        match first {
            None => first = Some(slot),
            Some(s) if s != slot => return true,
            Some(_) => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_the_redis_cluster_specification() {
        // values from the Redis cluster specification and `CLUSTER KEYSLOT`
        assert_eq!(key_slot(b"foo"), 12_182);
        assert_eq!(key_slot(b"bar"), 5_061);
        assert_eq!(key_slot(b"hello"), 866);
        assert_eq!(key_slot(b""), 0);
    }

    #[test]
    fn hash_tags_follow_the_first_brace_pair_rules() {
        assert_eq!(hash_tag(b"{user1000}.following"), b"user1000");
        assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}", "an empty first tag hashes the whole key");
        assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar", "the tag ends at the first closing brace");
        assert_eq!(hash_tag(b"foo{bar}{zap}"), b"bar", "only the first tag counts");
        assert_eq!(hash_tag(b"no-tag"), b"no-tag");
        assert_eq!(hash_tag(b"open{only"), b"open{only");
    }

    #[test]
    fn c2_hash_tagged_keys_share_a_slot_and_others_do_not() {
        assert!(!spans_slots([&b"{user42}:a"[..], b"{user42}:b"]));
        assert!(spans_slots([&b"session:abc"[..], b"cache:xyz"]));
        assert!(!spans_slots([&b"alone"[..]]));
    }
}
