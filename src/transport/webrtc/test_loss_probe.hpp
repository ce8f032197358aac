#pragma once
// TEST ONLY, off by default: FRAMEWIRE_TEST_RTP_LOSS=<0..1> in framewire's environment drops
// that fraction of every WebRTC peer's outgoing video RTP packets right after the payloader
// (before the retransmission store, so NACKs cannot repair them). tests/e2e/branch_switch uses
// it to show the automatic switch to a lighter branch. Not a setting; nobody wants it otherwise.

#include <gst/gst.h>

namespace framewire::transport::webrtc {

// Adds the dropping probe to `payloader`'s src pad when the variable is set; returns the
// fraction (0: no probe).
double addTestLossProbe(GstElement* payloader);

}  // namespace framewire::transport::webrtc
