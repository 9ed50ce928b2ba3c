/**
 * Netty codecs that cut a meter's TCP byte stream into DLMS frames and back: IEC 62056-47 wrapper
 * ({@link io.dlmsgateway.dlms.frame.WrapperFrameDecoder}, {@link io.dlmsgateway.dlms.frame.WrapperFrameEncoder}) and
 * IEC 62056-46 HDLC ({@link io.dlmsgateway.dlms.frame.HdlcFrameDecoder},
 * {@link io.dlmsgateway.dlms.frame.HdlcFrameEncoder}).
 *
 * <p>Decoders emit each frame whole, header and checksums included, because the APDU layer above is Gurux, which
 * parses complete frames itself and keeps per-association state (HDLC sequence numbers, segment reassembly).
 * Encoders encode the frame types of this package and pass already-framed {@code ByteBuf}s through, since Gurux's
 * request builders return framed bytes; the frame types serve simulators and tests that build frames directly.
 */
package io.dlmsgateway.dlms.frame;
