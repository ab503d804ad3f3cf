//! `geo_point` values as Elasticsearch takes them: `{"lat": .., "lon": ..}`, `"lat,lon"`,
//! `[lon, lat]`, `"POINT (lon lat)"`, GeoJSON `{"type": "Point", "coordinates": [lon, lat]}`
//! and geohashes, each checked to lie on the earth. logdash keeps the point (`lat,lon`)
//! for `exists` and `value_count`; geo queries and aggregations are not implemented.

use serde_json::Value;

/// One point as `lat,lon`, or why the value is none.
pub(super) fn point(value: &Value) -> Result<String, String> {
    let (lat, lon) = match value {
        Value::Object(object) if object.get("type").and_then(Value::as_str) == Some("Point") => {
            pair(object.get("coordinates").unwrap_or(&Value::Null))?
        }
        Value::Object(object) => (
            number(object.get("lat"), "lat")?,
            number(object.get("lon"), "lon")?,
        ),
        Value::Array(_) => pair(value)?,
        Value::String(text) => text_point(text.trim())?,
        other => return Err(format!("geo_point expected, found [{other}]")),
    };
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("illegal latitude value [{lat}]"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!("illegal longitude value [{lon}]"));
    }
    Ok(format!("{lat},{lon}"))
}

/// Whether a field's value is several points rather than one `[lon, lat]`.
pub(super) fn is_list_of_points(value: &Value) -> bool {
    match value {
        Value::Array(items) => !items.iter().all(Value::is_number),
        _ => false,
    }
}

/// `[lon, lat]` (a third number, the altitude, is allowed and not kept).
fn pair(value: &Value) -> Result<(f64, f64), String> {
    match value.as_array().map(Vec::as_slice) {
        Some([lon, lat] | [lon, lat, _]) => match (lat.as_f64(), lon.as_f64()) {
            (Some(lat), Some(lon)) => Ok((lat, lon)),
            _ => Err(format!("numeric value expected in [{value}]")),
        },
        _ => Err(format!("[lon, lat] expected, found [{value}]")),
    }
}

fn number(value: Option<&Value>, name: &str) -> Result<f64, String> {
    match value {
        Some(Value::Number(n)) => n.as_f64().ok_or_else(|| format!("[{name}] is no number")),
        Some(Value::String(text)) => text
            .trim()
            .parse()
            .map_err(|_| format!("[{name}] must be a number")),
        _ => Err(format!("field [{name}] missing")),
    }
}

/// `"lat,lon"`, `"POINT (lon lat)"` or a geohash.
fn text_point(text: &str) -> Result<(f64, f64), String> {
    if let Some((lat, lon)) = text.split_once(',') {
        let parse = |t: &str| t.trim().parse::<f64>();
        return match (parse(lat), parse(lon)) {
            (Ok(lat), Ok(lon)) => Ok((lat, lon)),
            _ => Err(format!("[{text}] is not a \"lat,lon\" point")),
        };
    }
    let upper = text.to_ascii_uppercase();
    if let Some(inner) = upper.strip_prefix("POINT") {
        let inner = inner.trim().trim_start_matches('(').trim_end_matches(')');
        let numbers: Vec<f64> = inner
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| format!("[{text}] is not a WKT point"))?;
        return match numbers.as_slice() {
            [lon, lat] | [lon, lat, _] => Ok((*lat, *lon)),
            _ => Err(format!("[{text}] is not a WKT point")),
        };
    }
    geohash(text).ok_or_else(|| format!("unsupported symbol in geohash [{text}]"))
}

/// A geohash's cell centre.
fn geohash(hash: &str) -> Option<(f64, f64)> {
    const BASE32: &[u8] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    if hash.is_empty() || hash.len() > 12 {
        return None;
    }
    let (mut lat, mut lon) = ((-90.0_f64, 90.0_f64), (-180.0_f64, 180.0_f64));
    let mut even = true;
    for byte in hash.bytes() {
        let bits = BASE32
            .iter()
            .position(|&b| b == byte.to_ascii_lowercase())?;
        for shift in (0..5).rev() {
            let bit = (bits >> shift) & 1 == 1;
            let range = if even { &mut lon } else { &mut lat };
            let middle = (range.0 + range.1) / 2.0;
            if bit {
                range.0 = middle;
            } else {
                range.1 = middle;
            }
            even = !even;
        }
    }
    Some(((lat.0 + lat.1) / 2.0, (lon.0 + lon.1) / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_form_elasticsearch_takes_is_one_point() {
        let berlin = "52.52,13.405";
        for value in [
            json!({"lat": 52.52, "lon": 13.405}),
            json!({"lat": "52.52", "lon": "13.405"}),
            json!("52.52, 13.405"),
            json!([13.405, 52.52]),
            json!("POINT (13.405 52.52)"),
            json!({"type": "Point", "coordinates": [13.405, 52.52]}),
        ] {
            assert_eq!(point(&value).as_deref(), Ok(berlin), "{value}");
        }
        let (lat, lon) = geohash("u33dc0").expect("a geohash");
        assert!(
            (lat - 52.52).abs() < 0.01 && (lon - 13.40).abs() < 0.01,
            "{lat},{lon}"
        );
        assert!(is_list_of_points(&json!([[13.4, 52.5], [2.35, 48.85]])));
        assert!(!is_list_of_points(&json!([13.4, 52.5])));
    }

    #[test]
    fn what_is_not_on_the_earth_is_named() {
        for (value, said) in [
            (json!({"lat": 100, "lon": 0}), "illegal latitude"),
            (json!([200, 0]), "illegal longitude"),
            (json!("Paris"), "geohash"),
            (json!({"lat": 1}), "[lon] missing"),
            (json!(true), "geo_point expected"),
        ] {
            let error = point(&value).expect_err("refused");
            assert!(error.contains(said), "{error} for {value}");
        }
    }
}
