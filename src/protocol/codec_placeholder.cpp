namespace yollayah::protocol {}
