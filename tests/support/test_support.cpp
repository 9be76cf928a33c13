// placeholder translation unit so the support library links; replaced below.
namespace vouch::testing {}
