import CLVKit
import Foundation

/// The model-file loader (``ModelFile/decode(_:file:)``: JSON parsing, the duplicate-key check,
/// decoding and validation).
///
/// Checks: a file that loads has finite positive parameters (and finite fit statistics); its
/// models can be built; and it survives a round trip (``ModelFile/encoded()`` decodes to an
/// equal file).
public enum ModelFileTarget {
    public static func run(_ input: [UInt8]) {
        guard let model = try? ModelFile.decode(Data(input), file: "fuzz.json") else { return }
        for record in [model.purchaseModel] + (model.spendModel.map { [$0] } ?? []) {
            for (name, value) in record.parameters {
                FuzzCheck.require(value.isFinite && value > 0, "parameter \(name) = \(value)")
            }
            FuzzCheck.require(record.logLikelihood.isFinite && record.aic.isFinite && record.bic.isFinite, "fit statistics")
        }
        _ = try? model.makePurchaseModel()
        _ = try? model.makeSpendModel()
        let encoded: Data
        do {
            encoded = try model.encoded()
        } catch {
            FuzzCheck.require(false, "a loaded model file cannot be encoded: \(error)")
            return
        }
        do {
            let back = try ModelFile.decode(encoded, file: "encoded.json")
            FuzzCheck.require(back == model, "the model file changes in a round trip")
        } catch {
            FuzzCheck.require(false, "the encoded model file does not load: \(error)")
        }
    }
}
