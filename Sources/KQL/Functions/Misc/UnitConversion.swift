/// `convert_length`, `convert_mass`, `convert_speed`, `convert_volume`, `convert_angle`,
/// `convert_energy`, `convert_force` and `convert_temperature`: a value from one unit to another,
/// with Kusto's unit names (those of UnitsNet); an unknown unit gives null.
enum UnitConversion {
    /// Factors to the base unit of each quantity.
    static let length: [String: Double] = [
        "Angstrom": 1e-10, "AstronomicalUnit": 1.495978707e11, "Centimeter": 0.01, "Chain": 20.1168, "DataMile": 1828.8, "Decameter": 10,
        "Decimeter": 0.1, "DtpPica": 0.0254 / 6, "DtpPoint": 0.0254 / 72, "Fathom": 1.8288, "Foot": 0.3048, "Hand": 0.1016, "Hectometer": 100,
        "Inch": 0.0254, "KilolightYear": 9.46073047258e18, "Kilometer": 1000, "Kiloparsec": 3.08567758128e19, "LightYear": 9.46073047258e15,
        "MegalightYear": 9.46073047258e21, "Megaparsec": 3.08567758128e22, "Meter": 1, "Microinch": 2.54e-8, "Micrometer": 1e-6, "Mil": 2.54e-5,
        "Mile": 1609.344, "Millimeter": 0.001, "Nanometer": 1e-9, "NauticalMile": 1852, "Parsec": 3.08567758128e16, "PrinterPica": 0.0042175176,
        "PrinterPoint": 0.0003514598, "Shackle": 27.432, "SolarRadius": 6.95510e8, "Twip": 0.0254 / 1440, "UsSurveyFoot": 1200.0 / 3937.0, "Yard": 0.9144,
    ]
    static let mass: [String: Double] = [
        "Centigram": 1e-5, "Decagram": 0.01, "Decigram": 1e-4, "EarthMass": 5.9722e24, "Grain": 6.479891e-5, "Gram": 0.001, "Hectogram": 0.1,
        "Kilogram": 1, "Kilopound": 453.59237, "Kilotonne": 1e6, "LongHundredweight": 50.80234544, "LongTon": 1016.0469088, "Megapound": 453_592.37,
        "Megatonne": 1e9, "Microgram": 1e-9, "Milligram": 1e-6, "Nanogram": 1e-12, "Ounce": 0.028349523125, "Pound": 0.45359237,
        "ShortHundredweight": 45.359237, "ShortTon": 907.18474, "Slug": 14.593902937206364, "SolarMass": 1.98947e30, "Stone": 6.35029318, "Tonne": 1000,
    ]
    static let speed: [String: Double] = {
        var d: [String: Double] = [:]
        let bases: [(String, Double)] = [("Centimeter", 0.01), ("Decimeter", 0.1), ("Foot", 0.3048), ("Inch", 0.0254), ("Kilometer", 1000), ("Meter", 1),
                                         ("Micrometer", 1e-6), ("Millimeter", 1e-3), ("Nanometer", 1e-9), ("UsSurveyFoot", 1200.0 / 3937.0), ("Yard", 0.9144)]
        for (n, m) in bases { d[n + "PerSecond"] = m; d[n + "PerMinute"] = m / 60; d[n + "PerHour"] = m / 3600 }
        d["Knot"] = 1852.0 / 3600; d["MilePerHour"] = 0.44704; d["MeterPerSecond"] = 1
        return d
    }()
    static let volume: [String: Double] = [
        "AcreFoot": 1233.48183754752, "AuTablespoon": 2e-5, "BoardFoot": 0.002359737, "Centiliter": 1e-5, "CubicCentimeter": 1e-6, "CubicDecimeter": 1e-3,
        "CubicFoot": 0.028316846592, "CubicHectometer": 1e6, "CubicInch": 1.6387064e-5, "CubicKilometer": 1e9, "CubicMeter": 1, "CubicMicrometer": 1e-18,
        "CubicMile": 4.16818182544058e9, "CubicMillimeter": 1e-9, "CubicYard": 0.764554857984, "Decaliter": 0.01, "DecausGallon": 0.03785411784,
        "Deciliter": 1e-4, "DeciusGallon": 3.785411784e-4, "HectocubicFoot": 2.8316846592, "HectocubicMeter": 100, "Hectoliter": 0.1,
        "HectousGallon": 0.3785411784, "ImperialBeerBarrel": 0.16365924, "ImperialGallon": 0.00454609, "ImperialOunce": 2.84130625e-5,
        "ImperialPint": 5.6826125e-4, "KilocubicFoot": 28.316846592, "KilocubicMeter": 1000, "KiloimperialGallon": 4.54609, "Kiloliter": 1,
        "KilousGallon": 3.785411784, "Liter": 1e-3, "MegacubicFoot": 28_316.846592, "MegaimperialGallon": 4546.09, "Megaliter": 1000,
        "MegausGallon": 3785.411784, "MetricCup": 2.5e-4, "MetricTeaspoon": 5e-6, "Microliter": 1e-9, "Milliliter": 1e-6, "OilBarrel": 0.158987294928,
        "UkTablespoon": 1.5e-5, "UsBeerBarrel": 0.1173477658, "UsCustomaryCup": 2.365882365e-4, "UsGallon": 0.003785411784, "UsLegalCup": 2.4e-4,
        "UsOunce": 2.95735295625e-5, "UsPint": 4.73176473e-4, "UsQuart": 9.46352946e-4, "UsTablespoon": 1.478676478125e-5, "UsTeaspoon": 4.92892159375e-6,
    ]
    static let angle: [String: Double] = [
        "Arcminute": 1.0 / 60, "Arcsecond": 1.0 / 3600, "Centiradian": 0.01 * 180 / Double.pi, "Deciradian": 0.1 * 180 / Double.pi, "Degree": 1,
        "Gradian": 0.9, "Microdegree": 1e-6, "Microradian": 1e-6 * 180 / Double.pi, "Millidegree": 1e-3, "Milliradian": 1e-3 * 180 / Double.pi,
        "Nanodegree": 1e-9, "Nanoradian": 1e-9 * 180 / Double.pi, "NatoMil": 360.0 / 6400, "Radian": 180 / Double.pi, "Revolution": 360,
    ]
    static let energy: [String: Double] = [
        "BritishThermalUnit": 1055.05585262, "Calorie": 4.184, "DecathermEc": 1.05505585262e9, "DecathermImperial": 1.05505585257348e9,
        "DecathermUs": 1.054804e9, "ElectronVolt": 1.602176565e-19, "Erg": 1e-7, "FootPound": 1.355817948, "GigabritishThermalUnit": 1055.05585262e9,
        "GigaelectronVolt": 1.602176565e-10, "Gigajoule": 1e9, "GigawattDay": 8.64e13, "GigawattHour": 3.6e12, "HorsepowerHour": 2_684_519.537696172792,
        "Joule": 1, "KilobritishThermalUnit": 1055.05585262e3, "Kilocalorie": 4184, "KiloelectronVolt": 1.602176565e-16, "Kilojoule": 1000,
        "KilowattDay": 8.64e7, "KilowattHour": 3.6e6, "MegabritishThermalUnit": 1055.05585262e6, "Megacalorie": 4.184e6,
        "MegaelectronVolt": 1.602176565e-13, "Megajoule": 1e6, "MegawattDay": 8.64e10, "MegawattHour": 3.6e9, "Millijoule": 1e-3,
        "TeraelectronVolt": 1.602176565e-7, "TerawattDay": 8.64e16, "TerawattHour": 3.6e15, "ThermEc": 1.05505585262e8,
        "ThermImperial": 1.05505585257348e8, "ThermUs": 1.054804e8, "WattDay": 86400, "WattHour": 3600,
    ]
    static let force: [String: Double] = [
        "Decanewton": 10, "Dyn": 1e-5, "KilogramForce": 9.80665, "Kilonewton": 1000, "KiloPond": 9.80665, "KilopoundForce": 4448.2216152605,
        "Meganewton": 1e6, "Micronewton": 1e-6, "Millinewton": 1e-3, "Newton": 1, "OunceForce": 0.27801385095378125, "Poundal": 0.138254954376,
        "PoundForce": 4.4482216152605, "ShortTonForce": 8896.443230521, "TonneForce": 9806.65,
    ]

    /// Temperature to and from kelvin.
    static func toKelvin(_ v: Double, _ unit: String) -> Double? {
        switch unit {
        case "Kelvin": return v
        case "DegreeCelsius": return v + 273.15
        case "MillidegreeCelsius": return v / 1000 + 273.15
        case "DegreeFahrenheit": return (v + 459.67) * 5 / 9
        case "DegreeRankine": return v * 5 / 9
        case "DegreeDelisle": return 373.15 - v * 2 / 3
        case "DegreeNewton": return v * 100 / 33 + 273.15
        case "DegreeReaumur": return v * 5 / 4 + 273.15
        case "DegreeRoemer": return (v - 7.5) * 40 / 21 + 273.15
        case "SolarTemperature": return v * 5778
        default: return nil
        }
    }

    static func fromKelvin(_ k: Double, _ unit: String) -> Double? {
        switch unit {
        case "Kelvin": return k
        case "DegreeCelsius": return k - 273.15
        case "MillidegreeCelsius": return (k - 273.15) * 1000
        case "DegreeFahrenheit": return k * 9 / 5 - 459.67
        case "DegreeRankine": return k * 9 / 5
        case "DegreeDelisle": return (373.15 - k) * 3 / 2
        case "DegreeNewton": return (k - 273.15) * 33 / 100
        case "DegreeReaumur": return (k - 273.15) * 4 / 5
        case "DegreeRoemer": return (k - 273.15) * 21 / 40 + 7.5
        case "SolarTemperature": return k / 5778
        default: return nil
        }
    }

    static func factor(_ name: String, _ table: [String: Double]) -> FunctionDef {
        F.row(name, 3...3, .real) { a, _ in
            guard let v = a[0].asDouble, let f = table[a[1].kqlString], let t = table[a[2].kqlString] else { return .null }
            return .real(v * f / t)
        }
    }

    static var all: [FunctionDef] {
        [
            factor("convert_length", length), factor("convert_mass", mass), factor("convert_speed", speed), factor("convert_volume", volume),
            factor("convert_angle", angle), factor("convert_energy", energy), factor("convert_force", force),
            F.row("convert_temperature", 3...3, .real) { a, _ in
                guard let v = a[0].asDouble, let k = toKelvin(v, a[1].kqlString), let r = fromKelvin(k, a[2].kqlString) else { return .null }
                return .real(r)
            },
        ]
    }
}
