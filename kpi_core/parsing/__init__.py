"""Reading what people type: numbers in Russian and English, the one-line quick form, time
zones and UTC offsets."""
