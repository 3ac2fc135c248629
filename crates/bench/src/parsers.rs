//! `krs-bench parsers SNAPSHOT [--runs N]` (feature `parsers`): the floor parse
//! ([`crate::floor`]) with serde_json, sonic-rs and simd-json on the same bytes, in one process,
//! runs interleaved; prints each parser's median and minimum time and checks that all three
//! count the same. simd-json parses in place, so it gets a fresh copy of the bytes before each
//! run (the copy is not timed).

use std::time::Instant;

use crate::floor;

/// Runs the comparison.
pub fn main(args: &[String]) -> Result<(), String> {
    let mut runs = 7usize;
    let mut file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => {
                runs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--runs needs a number")?;
            }
            other => file = Some(other.to_owned()),
        }
    }
    let file = file.ok_or("expected a SNAPSHOT")?;
    let bytes = std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?;
    let mut times: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut counts = [floor::Counts::default(); 3];
    let mut scratch = bytes.clone();
    for _ in 0..runs {
        let t = Instant::now();
        counts[0] = floor::parse(&bytes).map_err(|e| e.to_string())?;
        times[0].push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        counts[1] = floor::parse_sonic(&bytes)?;
        times[1].push(t.elapsed().as_secs_f64());
        scratch.copy_from_slice(&bytes);
        let t = Instant::now();
        counts[2] = floor::parse_simd_json(&mut scratch)?;
        times[2].push(t.elapsed().as_secs_f64());
    }
    if counts[1] != counts[0] || counts[2] != counts[0] {
        return Err(format!("the parsers disagree: {counts:?}"));
    }
    println!(
        "{file}: {} MB, {runs} runs each, interleaved",
        bytes.len() / 1_000_000
    );
    println!("| parser | median | min | median vs serde_json |");
    println!("|---|---|---|---|");
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let base = median(&mut times[0].clone());
    for (name, t) in ["serde_json", "sonic-rs", "simd-json"]
        .iter()
        .zip(times.iter_mut())
    {
        let m = median(t);
        let min = t.iter().copied().fold(f64::INFINITY, f64::min);
        println!("| {name} | {:.3} s | {:.3} s | {:.2} |", m, min, m / base);
    }
    Ok(())
}
