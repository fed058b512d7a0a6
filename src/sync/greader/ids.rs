//! Item ids: servers send them as a long tag, a signed or unsigned decimal, or bare hex; all
//! name the same 64-bit number.

/// Parses an item id in any form a server sends: the long form
/// `tag:google.com,2005:reader/item/<16 hex>` (a u64 reinterpreted as i64), a decimal (signed or
/// unsigned 64-bit), or bare 16 hex digits.
pub fn parse_item_id(id: &str) -> Option<i64> {
    let id = id.trim();
    if let Some(hex) = id.strip_prefix("tag:google.com,2005:reader/item/") {
        return parse_hex_id(hex);
    }
    if let Ok(n) = id.parse::<i64>() {
        return Some(n);
    }
    if let Ok(n) = id.parse::<u64>() {
        return Some(n as i64);
    }
    if id.len() == 16 {
        return parse_hex_id(id);
    }
    None
}

fn parse_hex_id(hex: &str) -> Option<i64> {
    if hex.is_empty() || hex.len() > 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok().map(|n| n as i64)
}

/// The long form of an item id: `tag:google.com,2005:reader/item/` and 16 hex digits.
pub fn item_id_long(id: i64) -> String {
    format!("tag:google.com,2005:reader/item/{:016x}", id as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_id_forms_give_the_same_number() {
        let long = parse_item_id("tag:google.com,2005:reader/item/00066179a8383c56");
        assert_eq!(long, Some(1796025001458774));
        assert_eq!(parse_item_id("1796025001458774"), long);
        assert_eq!(parse_item_id("00066179a8383c56"), long);
        assert_eq!(
            item_id_long(1796025001458774),
            "tag:google.com,2005:reader/item/00066179a8383c56"
        );
        // Ids above i64::MAX (Inoreader, Google) wrap to negative and come back the same.
        let high = parse_item_id("tag:google.com,2005:reader/item/ffffffffffffff9c");
        assert_eq!(high, Some(-100));
        assert_eq!(parse_item_id("18446744073709551516"), Some(-100));
        assert_eq!(parse_item_id("-100"), Some(-100));
        assert_eq!(
            item_id_long(-100),
            "tag:google.com,2005:reader/item/ffffffffffffff9c"
        );
        for bad in [
            "",
            "tag:google.com,2005:reader/item/",
            "tag:google.com,2005:reader/item/xyz",
            "tag:google.com,2005:reader/item/00066179a8383c5600",
            "12a",
            "99999999999999999999",
        ] {
            assert_eq!(parse_item_id(bad), None, "{bad}");
        }
    }
}
