#pragma once
// Pipeline: one GstPipeline built from a gst-launch description, with its bus messages that
// matter (errors, end of stream) handed to a callback instead of a GLib main loop.
//
// The callback runs on whichever thread posted the message (usually a streaming thread), so
// it must only post work elsewhere (to the ControlLoop). The destructor brings the pipeline to
// NULL first (which joins its streaming threads) and only then detaches the callback.

#include <gst/gst.h>

#include <functional>
#include <string>

#include "media/gst_ptr.hpp"

namespace framewire::media {

class Pipeline {
 public:
  // Called with a readable reason when the pipeline fails or ends.
  using FailureCallback = std::function<void(const std::string& reason)>;

  // Throws std::runtime_error when the description does not parse.
  Pipeline(const std::string& name, const std::string& description, FailureCallback on_failure);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // The element named `name=` in the description; throws when absent.
  GstPtr<GstElement> element(const std::string& name) const;

  // Returns false (and logs) when the state change fails outright.
  bool play();
  void stopNow();  // to NULL, synchronously
  // Flushing seek to the start (loops a file after its end of stream). False when refused.
  bool seekToStart();

  const std::string& name() const { return name_; }

 private:
  static GstBusSyncReply onBusMessage(GstBus* bus, GstMessage* message, gpointer self);

  const std::string name_;
  FailureCallback on_failure_;
  GstPtr<GstElement> pipeline_;
};

}  // namespace framewire::media
