/**
 * Implementation of the spool: the SQLite store and the single thread that owns it. Not a public API.
 */
package io.dlmsgateway.spool.internal;
