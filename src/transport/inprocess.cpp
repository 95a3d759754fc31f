// placeholder until the in-process transport lands
namespace yollayah::transport {}
