/** Loader internals: tree walking, problem collection and secret references. Not API; may change at any time. */
package io.dlmsgateway.config.internal;
