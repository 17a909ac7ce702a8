use rayon::prelude::*;
use std::os::unix::fs::FileExt;
use std::time::Instant;

fn count(block: &[u8]) -> (usize, usize) {
    let mut n = 0;
    let mut s = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', block) {
        n += 1;
        s += block[start] as usize;
        start = end + 1;
    }
    (n, s)
}

fn main() {
    let path = "/tmp/t3f-bench/devvm-journal.log";
    let t = Instant::now();
    let file = std::fs::File::open(path).unwrap();
    let len = file.metadata().unwrap().len() as usize;
    let blocks = len.div_ceil(1 << 20);
    let total: usize = (0..blocks)
        .into_par_iter()
        .map_init(
            || vec![0u8; 1 << 20],
            |buf, i| {
                let from = i << 20;
                let want = (len - from).min(1 << 20);
                file.read_at(&mut buf[..want], from as u64).unwrap();
                count(&buf[..want]).0
            },
        )
        .sum();
    eprintln!("{:?} {total}", t.elapsed());
}
