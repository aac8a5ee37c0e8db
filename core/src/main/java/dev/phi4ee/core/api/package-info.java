/**
 * What users touch: {@link dev.phi4ee.core.api.Phi4Engine}, requests, options, results and the typed exceptions.
 * No native type appears here.
 */
package dev.phi4ee.core.api;
