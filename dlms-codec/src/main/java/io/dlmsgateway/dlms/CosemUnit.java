package io.dlmsgateway.dlms;

/**
 * Symbols of the COSEM unit enumeration (IEC 62056-6-2, the "unit" of a register's scaler_unit), as users see
 * them in dashboards: 35 is {@code V}, 27 {@code W}, 30 {@code Wh}.
 */
public final class CosemUnit {

    /** Code 255: a count or a ratio, such as the power factor. */
    public static final int UNITLESS = 255;

    private CosemUnit() {
    }

    /** The symbol of a unit code; {@code ""} for unitless (255 or 0), {@code "unit(N)"} for codes not listed. */
    public static String symbol(int code) {
        return switch (code) {
            case 1 -> "a";
            case 2 -> "mo";
            case 3 -> "wk";
            case 4 -> "d";
            case 5 -> "h";
            case 6 -> "min";
            case 7 -> "s";
            case 8 -> "°";
            case 9 -> "°C";
            case 10 -> "currency";
            case 11 -> "m";
            case 12 -> "m/s";
            case 13 -> "m³";
            case 14 -> "m³";
            case 15 -> "m³/h";
            case 16 -> "m³/h";
            case 17 -> "m³/d";
            case 18 -> "m³/d";
            case 19 -> "l";
            case 20 -> "kg";
            case 21 -> "N";
            case 22 -> "Nm";
            case 23 -> "Pa";
            case 24 -> "bar";
            case 25 -> "J";
            case 26 -> "J/h";
            case 27 -> "W";
            case 28 -> "VA";
            case 29 -> "var";
            case 30 -> "Wh";
            case 31 -> "VAh";
            case 32 -> "varh";
            case 33 -> "A";
            case 34 -> "C";
            case 35 -> "V";
            case 36 -> "V/m";
            case 37 -> "F";
            case 38 -> "Ω";
            case 39 -> "Ωm²/m";
            case 40 -> "Wb";
            case 41 -> "T";
            case 42 -> "A/m";
            case 43 -> "H";
            case 44 -> "Hz";
            case 45 -> "1/(Wh)";
            case 46 -> "1/(varh)";
            case 47 -> "1/(VAh)";
            case 48 -> "V²h";
            case 49 -> "A²h";
            case 50 -> "kg/s";
            case 51 -> "S";
            case 52 -> "K";
            case 53 -> "1/(V²h)";
            case 54 -> "1/(A²h)";
            case 55 -> "1/m³";
            case 56 -> "%";
            case 57 -> "Ah";
            case 60 -> "Wh/m³";
            case 61 -> "J/m³";
            case 62 -> "Mol %";
            case 63 -> "g/m³";
            case 64 -> "Pa s";
            case 65 -> "J/kg";
            case 70 -> "dBm";
            case 71 -> "dBµV";
            case 72 -> "dB";
            case 0, UNITLESS -> "";
            default -> "unit(" + code + ")";
        };
    }
}
