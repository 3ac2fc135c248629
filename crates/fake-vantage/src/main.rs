//! `kube-rightsize-fake-vantage [ADDR] [--cors full|off|reject-preflight] [--token TOKEN]`:
//! serves the fake Vantage API for manual and browser checks and prints its URL.

use std::time::Duration;

use kube_rightsize_fake_vantage::{Config, Cors, start_on};

fn main() {
    let mut config = Config::default();
    let mut addr = "127.0.0.1:0".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cors" => {
                config.cors = match args.next().as_deref() {
                    Some("off") => Cors::Off,
                    Some("reject-preflight") => Cors::RejectPreflight,
                    _ => Cors::Full,
                }
            }
            "--token" => {
                if let Some(t) = args.next() {
                    config.token = t;
                }
            }
            "--slow-ms" => {
                let ms = args.next().and_then(|v| v.parse().ok()).unwrap_or(0);
                config.delay = Duration::from_millis(ms);
            }
            "-h" | "--help" => {
                println!(
                    "usage: kube-rightsize-fake-vantage [ADDR] [--cors full|off|reject-preflight] \
                     [--token TOKEN] [--slow-ms MS]"
                );
                return;
            }
            other => addr = other.to_owned(),
        }
    }
    let token = config.token.clone();
    match start_on(&addr, config) {
        Ok(fake) => {
            println!("fake Vantage API at {} (token: {token})", fake.url());
            loop {
                std::thread::park();
            }
        }
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    }
}
