//! The wasm build's heap: talc (smaller and faster than Rust's default dlmalloc for single-threaded
//! wasm), its memory grown at least 1 MiB at a time. talc's own source grows the memory just enough
//! for the allocation at hand, a 64 KiB page at a time for small ones: resolving a config of 80 000
//! model rows made about 2 500 `memory.grow` calls, and a process's first `resolve()` took 3× its
//! later ones (1.24 s against 0.42 s). The memory never shrinks either way; at most one step (1 MiB)
//! is grown beyond what is used.

use core::alloc::Layout;
use core::arch::wasm32::memory_grow;
use core::ptr::NonNull;
use talc::base::binning::Binning;
use talc::base::Talc;
use talc::cell::TalcSyncCell;
use talc::source::Source;
use talc::wasm::WasmBinning;

const PAGE: usize = 64 * 1024;
/// Pages grown at least, each time the heap is full.
const STEP: usize = 16;

#[global_allocator]
static HEAP: TalcSyncCell<Grow, WasmBinning> = TalcSyncCell::new_wasm(Grow { end: None });

/// Grows the wasm memory by [`STEP`] pages, or what one allocation needs, and extends the heap over it.
#[derive(Debug)]
struct Grow {
    end: Option<NonNull<u8>>,
}

// SAFETY: allocates nothing; touches the heap only through `talc`.
unsafe impl Source for Grow {
    fn acquire<B: Binning>(talc: &mut Talc<Self, B>, layout: Layout) -> Result<(), ()> {
        // The allocation, its alignment and talc's bookkeeping (a few words), rounded up to pages.
        let needed = (layout.size() + layout.align() + 4 * talc::base::CHUNK_UNIT).div_ceil(PAGE);
        let (pages, old) = match memory_grow::<0>(needed.max(STEP)) {
            usize::MAX => (needed, memory_grow::<0>(needed)),
            old => (needed.max(STEP), old),
        };
        if old == usize::MAX {
            return Err(());
        }
        let (base, size) = ((old * PAGE) as *mut u8, pages * PAGE);
        let end = base.wrapping_add(size);
        if let Some(last) = talc.source.end.take().filter(|last| last.as_ptr() == base) {
            // SAFETY: the memory from `last` to `end` was just grown, and is the heap's.
            talc.source.end = Some(unsafe { talc.extend(last, end) });
        } else {
            // SAFETY: as above, a new heap of memory nothing else uses.
            talc.source.end = unsafe { talc.claim(base, size) };
        }
        Ok(())
    }
}
