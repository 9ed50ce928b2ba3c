package io.dlmsgateway.dlms;

/** The authentication mechanisms an association can use. */
public enum Authentication {
    /** Lowest level security: no authentication, usually the public client (address 16). */
    NONE,
    /** Low level security: a password sent in the AARQ. */
    LOW,
    /** High level security with GMAC (mechanism 5), security suite 0: AES-128-GCM keys and system titles. */
    HIGH_GMAC
}
